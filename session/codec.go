package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/tetherweb/tether/signing"
)

// Codec turns session values into the bytes a Store keeps and back. Values
// are encoded one by one when set (so a session hands out copies and a
// caller's later changes to a value it stored change nothing), and the
// record is the combination of the encoded values.
//
// A Codec must be safe for concurrent use.
type Codec interface {
	// EncodeValue encodes one value.
	EncodeValue(v any) ([]byte, error)
	// DecodeValue decodes one encoded value into v, a pointer.
	DecodeValue(data []byte, v any) error
	// Encode combines encoded values into record data.
	Encode(values map[string][]byte) ([]byte, error)
	// Decode splits record data into encoded values. The returned slices
	// may alias data.
	Decode(data []byte) (map[string][]byte, error)
}

// JSONCodec stores a session as one JSON object whose members are the
// session's keys, each value encoded with signing.JSON (compact, ASCII-only,
// like Python's json.dumps). It is the default Codec.
//
// JSON has no integer/float distinction and no time type: a float64 that
// happens to be whole comes back as a whole number, and time.Time values are
// kept as RFC 3339 strings.
type JSONCodec struct{}

// EncodeValue implements Codec. Plain strings, integers and booleans are
// written directly; everything else goes through signing.JSON.
func (JSONCodec) EncodeValue(v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		if plainString([]byte(x)) {
			return appendQuoted(make([]byte, 0, len(x)+2), x), nil
		}
	case int:
		return strconv.AppendInt(nil, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(nil, x, 10), nil
	case bool:
		return strconv.AppendBool(nil, x), nil
	}
	return signing.JSON.Marshal(v)
}

// appendQuoted appends a plain string (see plainString) as a JSON string.
func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// DecodeValue implements Codec. Plain strings, integers and booleans (the
// usual user IDs, names and counters) are decoded without encoding/json.
func (JSONCodec) DecodeValue(data []byte, v any) error {
	if decodePlain(data, v) {
		return nil
	}
	return json.Unmarshal(data, v)
}

// decodePlain decodes a plain string, integer or boolean into v (a *string,
// *int or *bool) and reports whether it did. v does not escape.
func decodePlain(data []byte, v any) bool {
	switch p := v.(type) {
	case *string:
		if len(data) >= 2 && data[0] == '"' && data[len(data)-1] == '"' && plainString(data[1:len(data)-1]) {
			*p = string(data[1 : len(data)-1])
			return true
		}
	case *int:
		if n, err := strconv.Atoi(string(data)); err == nil {
			*p = n
			return true
		}
	case *bool:
		switch string(data) {
		case "true":
			*p = true
			return true
		case "false":
			*p = false
			return true
		}
	}
	return false
}

// plainString reports whether b can be used as a JSON string's value as is:
// printable ASCII without escapes or quotes.
func plainString(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7f || c == '\\' || c == '"' {
			return false
		}
	}
	return true
}

// Encode implements Codec. Members are written in key order, so equal
// sessions encode to equal bytes.
func (JSONCodec) Encode(values map[string][]byte) ([]byte, error) {
	keys := make([]string, 0, len(values))
	size := 2
	for k, v := range values {
		keys = append(keys, k)
		size += len(k) + len(v) + 4
	}
	slices.Sort(keys)
	buf := make([]byte, 0, size)
	buf = append(buf, '{')
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		if plainString([]byte(k)) {
			buf = appendQuoted(buf, k)
		} else {
			kb, err := signing.JSON.Marshal(k)
			if err != nil {
				return nil, err
			}
			buf = append(buf, kb...)
		}
		buf = append(buf, ':')
		buf = append(buf, values[k]...)
	}
	return append(buf, '}'), nil
}

// Decode implements Codec. The values alias data.
func (JSONCodec) Decode(data []byte) (map[string][]byte, error) {
	values, err := splitObject(data)
	if err != nil {
		return nil, fmt.Errorf("session: decode JSON record: %w", err)
	}
	return values, nil
}

// DjangoCodec reads and writes session data in Django's format (the
// session_data column of django_session, and Django's file backend):
// signing.dumps of the JSON object with the salt
// "django.contrib.sessions.SessionStore", compressed when that pays. Use it
// with a store on Django's table to share sessions with a Django app that
// has the same SECRET_KEY.
type DjangoCodec struct {
	signer *signing.TimestampSigner
}

// DjangoSessionSalt is the salt Django signs session data with (for every
// built-in backend, whose store class is called SessionStore).
const DjangoSessionSalt = "django.contrib.sessions.SessionStore"

// NewDjangoCodec returns a DjangoCodec for Django's SECRET_KEY. Options:
// signing.WithFallbackKeys (SECRET_KEY_FALLBACKS), signing.WithSalt (for a
// custom store class; default DjangoSessionSalt) and signing.WithClock.
func NewDjangoCodec(secretKey []byte, opts ...signing.Option) (*DjangoCodec, error) {
	all := append([]signing.Option{signing.WithSalt(DjangoSessionSalt), signing.WithCompression(true)}, opts...)
	t, err := signing.NewTimestampSigner(secretKey, all...)
	if err != nil {
		return nil, fmt.Errorf("session: django codec: %w", err)
	}
	return &DjangoCodec{signer: t}, nil
}

// EncodeValue implements Codec.
func (c *DjangoCodec) EncodeValue(v any) ([]byte, error) { return JSONCodec{}.EncodeValue(v) }

// DecodeValue implements Codec.
func (c *DjangoCodec) DecodeValue(data []byte, v any) error { return JSONCodec{}.DecodeValue(data, v) }

// Encode implements Codec.
func (c *DjangoCodec) Encode(values map[string][]byte) ([]byte, error) {
	obj, err := JSONCodec{}.Encode(values)
	if err != nil {
		return nil, err
	}
	return []byte(c.signer.SignBytes(obj)), nil
}

// Decode implements Codec. Django never applies a maximum age to session
// data (the record's expiry governs), and neither does this.
func (c *DjangoCodec) Decode(data []byte) (map[string][]byte, error) {
	obj, err := c.signer.UnsignBytes(string(bytes.TrimSpace(data)), 0)
	if err != nil {
		return nil, fmt.Errorf("session: django codec: %w", err)
	}
	return JSONCodec{}.Decode(obj)
}
