package session

// maxNesting is encoding/json's limit on nested arrays and objects: a
// deeper value is invalid there, and so here.
const maxNesting = 10000

// validJSON reports whether data is exactly one JSON value (with optional
// white space around it), with the answer of json.Valid on every input
// (FuzzValidJSON compares the two). It is a single pass over data that
// allocates nothing, where json.Valid runs encoding/json's scanner, a
// function call per byte: a read-only request validates its record once,
// and this was the largest cost of the session's load on the memory
// store.
//
// Like json.Valid, it checks the grammar of RFC 8259 only: bytes that are
// not UTF-8 inside strings are accepted (encoding/json replaces them with
// U+FFFD when it decodes).
func validJSON(data []byte) bool {
	// open is a stack of one bit per open container: 1 for an object,
	// 0 for an array (1.25 KB on the stack, no allocation).
	var open [maxNesting/64 + 1]uint64
	depth := 0
	i := skipSpace(data, 0)
	for {
		// A value starts at i.
		if i >= len(data) {
			return false
		}
		switch c := data[i]; c {
		case '{', '[':
			if depth == maxNesting {
				return false
			}
			isObject := c == '{'
			if isObject {
				open[depth/64] |= 1 << (depth % 64)
			} else {
				open[depth/64] &^= 1 << (depth % 64)
			}
			depth++
			i = skipSpace(data, i+1)
			switch {
			case i < len(data) && (isObject && data[i] == '}' || !isObject && data[i] == ']'):
				depth-- // an empty container: a whole value
				i++
			case isObject:
				if i = memberStart(data, i); i < 0 {
					return false
				}
				continue // at the member's value
			default:
				continue // at the array's first element
			}
		case '"':
			i = stringValid(data, i)
		case 't':
			i = literal(data, i, "true")
		case 'f':
			i = literal(data, i, "false")
		case 'n':
			i = literal(data, i, "null")
		default:
			i = numberEnd(data, i)
		}
		if i < 0 {
			return false
		}
		// After a value: close the containers it ends, then find where
		// the next value starts.
		for {
			i = skipSpace(data, i)
			if depth == 0 {
				return i == len(data)
			}
			if i >= len(data) {
				return false
			}
			d := depth - 1
			inObject := open[d/64]>>(d%64)&1 == 1
			c := data[i]
			if c == ',' {
				i = skipSpace(data, i+1)
				if inObject {
					if i = memberStart(data, i); i < 0 {
						return false
					}
				}
				break
			}
			if inObject && c == '}' || !inObject && c == ']' {
				depth--
				i++
				continue
			}
			return false
		}
	}
}

// memberStart checks an object member's name and colon at data[i] and
// returns where its value starts, or -1.
func memberStart(data []byte, i int) int {
	if i >= len(data) || data[i] != '"' {
		return -1
	}
	if i = stringValid(data, i); i < 0 {
		return -1
	}
	i = skipSpace(data, i)
	if i >= len(data) || data[i] != ':' {
		return -1
	}
	return skipSpace(data, i+1)
}

// stringValid checks the string starting at data[i] (a '"') and returns the
// index just past it, or -1: no control character, and only JSON's escapes.
func stringValid(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			return j + 1
		case c < 0x20:
			return -1
		case c == '\\':
			j++
			if j >= len(data) {
				return -1
			}
			switch data[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(data) {
					return -1
				}
				for _, h := range data[j+1 : j+5] {
					if !isHex(h) {
						return -1
					}
				}
				j += 4
			default:
				return -1
			}
		}
	}
	return -1
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// literal checks that data[i:] starts with word and returns the index just
// past it, or -1.
func literal(data []byte, i int, word string) int {
	if len(data)-i < len(word) || string(data[i:i+len(word)]) != word {
		return -1
	}
	return i + len(word)
}

// numberEnd checks the number starting at data[i] and returns the index
// just past it, or -1: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func numberEnd(data []byte, i int) int {
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i >= len(data):
		return -1
	case data[i] == '0':
		i++
	case '1' <= data[i] && data[i] <= '9':
		i = digitsEnd(data, i+1)
	default:
		return -1
	}
	if i < len(data) && data[i] == '.' {
		j := digitsEnd(data, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		j := digitsEnd(data, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func digitsEnd(data []byte, i int) int {
	for i < len(data) && '0' <= data[i] && data[i] <= '9' {
		i++
	}
	return i
}
