package session

import (
	"encoding/json"
	"errors"
	"unicode/utf8"
)

var errNotObject = errors.New("not a JSON object")

// validObject reports whether data is one valid JSON object.
func validObject(data []byte) error {
	if !validJSON(data) {
		return errors.New("invalid JSON")
	}
	if i := skipSpace(data, 0); i >= len(data) || data[i] != '{' {
		return errNotObject
	}
	return nil
}

// splitObject splits a JSON object into its members without decoding the
// values: each value is a sub-slice of data. This keeps a session load at a
// few allocations however many keys the session holds.
func splitObject(data []byte) (map[string][]byte, error) {
	if err := validObject(data); err != nil {
		return nil, err
	}
	values := make(map[string][]byte, 8)
	var err error
	eachMember(data, func(rawKey, value []byte) bool {
		var key string
		if key, err = memberKey(rawKey); err != nil {
			return false
		}
		values[key] = value
		return true
	})
	return values, err
}

// lookupMember returns the value of the last member named key in a valid
// JSON object (encoding/json's rule for duplicates), without allocating
// for plain keys.
func lookupMember(data []byte, key string) ([]byte, bool) {
	var found []byte
	ok := false
	eachMember(data, func(rawKey, value []byte) bool {
		var match bool
		if plainKey(rawKey) {
			match = string(rawKey[1:len(rawKey)-1]) == key
		} else {
			k, err := memberKey(rawKey)
			match = err == nil && k == key
		}
		if match {
			found, ok = value, true
		}
		return true
	})
	return found, ok
}

// plainKey reports whether a quoted key needs no unescaping: no escapes and
// valid UTF-8 (encoding/json replaces invalid bytes).
func plainKey(quoted []byte) bool {
	raw := quoted[1 : len(quoted)-1]
	return !hasEscape(raw) && utf8.Valid(raw)
}

// memberKey decodes a quoted member name.
func memberKey(quoted []byte) (string, error) {
	if plainKey(quoted) {
		return string(quoted[1 : len(quoted)-1]), nil
	}
	var key string
	err := json.Unmarshal(quoted, &key)
	return key, err
}

// eachMember calls fn with the quoted name and the value of each member of
// a valid JSON object, in order, until fn returns false. Values are
// sub-slices of data whose capacity ends with them.
func eachMember(data []byte, fn func(quotedKey, value []byte) bool) {
	i := skipSpace(data, 0)
	i = skipSpace(data, i+1) // past '{'
	if i >= len(data) || data[i] == '}' {
		return
	}
	for {
		end := stringEnd(data, i)
		quoted := data[i:end]
		i = skipSpace(data, end)
		i = skipSpace(data, i+1) // past ':'
		vend := valueEnd(data, i)
		if !fn(quoted, data[i:vend:vend]) {
			return
		}
		i = skipSpace(data, vend)
		if i >= len(data) || data[i] == '}' {
			return
		}
		i = skipSpace(data, i+1) // past ','
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func hasEscape(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}

// stringEnd returns the index just past the string starting at data[i].
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

// valueEnd returns the index just past the (valid) value starting at
// data[i].
func valueEnd(data []byte, i int) int {
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				j = stringEnd(data, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(data)
	}
	j := i
	for j < len(data) {
		switch data[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j
		}
		j++
	}
	return j
}
