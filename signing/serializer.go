package signing

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Serializer turns a Go value into bytes and back for SignObject, Dumps and
// the session codecs.
type Serializer interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSON is the default Serializer: encoding/json with compact output, no HTML
// escaping, and every character outside printable ASCII written as a \uXXXX
// escape (surrogate pairs beyond the BMP), exactly as Python's json.dumps
// with ensure_ascii does. Django decodes signed JSON as latin-1, so raw
// UTF-8 would come back garbled on the Django side; escaped JSON reads the
// same everywhere.
var JSON Serializer = jsonSerializer{}

type jsonSerializer struct{}

// Marshal implements Serializer.
func (jsonSerializer) Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})
	return ASCIIJSON(b), nil
}

// Unmarshal implements Serializer.
func (jsonSerializer) Unmarshal(data []byte, v any) error {
	return json.Unmarshal(data, v)
}

// ASCIIJSON rewrites valid JSON text so that it contains only printable
// ASCII: every other character (which encoding/json only emits inside
// strings) becomes a lowercase \uXXXX escape, as Python's ensure_ascii does.
// It returns b itself when nothing needs escaping.
func ASCIIJSON(b []byte) []byte {
	i := 0
	for i < len(b) && b[i] < 0x7f {
		i++
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for i < len(b) {
		c := b[i]
		if c < 0x7f {
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		i += size
		if r >= 0x10000 {
			r -= 0x10000
			out = appendU(out, 0xd800+(r>>10))
			out = appendU(out, 0xdc00+(r&0x3ff))
			continue
		}
		out = appendU(out, r)
	}
	return out
}

func appendU(dst []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	return append(dst, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
}
