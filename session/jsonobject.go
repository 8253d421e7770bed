package session

import (
	"encoding/json"
	"errors"
	"unicode/utf8"
)

var errNotObject = errors.New("not a JSON object")

// splitObject splits a JSON object into its members without decoding the
// values: each value is a sub-slice of data. It validates data first, so
// the scan below only has to find boundaries. This keeps a session load at
// a few allocations however many keys the session holds.
func splitObject(data []byte) (map[string][]byte, error) {
	if !json.Valid(data) {
		return nil, errors.New("invalid JSON")
	}
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, errNotObject
	}
	values := make(map[string][]byte, 8)
	i = skipSpace(data, i+1)
	if data[i] == '}' {
		return values, nil
	}
	for {
		// data[i] is the opening quote of a key.
		end := stringEnd(data, i)
		var key string
		if raw := data[i+1 : end-1]; !hasEscape(raw) && utf8.Valid(raw) {
			key = string(raw)
		} else if err := json.Unmarshal(data[i:end], &key); err != nil {
			return nil, err
		}
		i = skipSpace(data, end)
		i = skipSpace(data, i+1) // the colon
		vend := valueEnd(data, i)
		values[key] = data[i:vend:vend]
		i = skipSpace(data, vend)
		if data[i] == '}' {
			return values, nil
		}
		i = skipSpace(data, i+1) // the comma
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
