package djangocache

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/signing"
	"github.com/tetherweb/tether/store/djangocache/pickle"
)

// Django's cache keys for sessions, with its default KEY_PREFIX ("") and
// VERSION (1): the cache backend's entry and cached_db's entry are these
// followed by the session key.
const (
	CachePrefix    = ":1:django.contrib.sessions.cache"
	CachedDBPrefix = ":1:django.contrib.sessions.cached_db"
)

// Codec is a session.Codec whose records are the pickle of the session
// dict, as Django's cache session backends store it. Values are JSON, as
// with session.JSONCodec: EncodeValue and DecodeValue are JSONCodec's, and
// Encode and Decode convert each value between JSON and pickle. The zero
// value is ready to use and writes protocol 5 (Django on Python 3.8 and
// later); set Protocol to 4 for Pythons before 3.8.
//
// Decode accepts a pickle of a dict with string keys whose values are
// dicts (string keys), lists, tuples (read as lists), strings, integers,
// finite floats, booleans and None, within pickle.DefaultLimits; anything
// else is an error (see package pickle), which the Manager turns into an
// empty session and a log record. A float keeps its Python repr in JSON
// (1.0 stays 1.0, not 1), so it comes back as a float.
type Codec struct {
	// Protocol is the pickle protocol Encode writes: 4, or 5 (0 means 5).
	Protocol int
}

var _ session.Codec = Codec{}

// EncodeValue implements session.Codec.
func (Codec) EncodeValue(v any) ([]byte, error) { return session.JSONCodec{}.EncodeValue(v) }

// DecodeValue implements session.Codec.
func (Codec) DecodeValue(data []byte, v any) error { return session.JSONCodec{}.DecodeValue(data, v) }

// Encode implements session.Codec: the pickle of the dict of the values.
func (c Codec) Encode(values map[string][]byte) ([]byte, error) {
	dict := make(map[string]any, len(values))
	for k, raw := range values {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("djangocache: encode %.64q: %w", k, err)
		}
		if dec.More() {
			return nil, fmt.Errorf("djangocache: encode %.64q: more than one JSON value", k)
		}
		dict[k] = v
	}
	proto := c.Protocol
	if proto == 0 {
		proto = pickle.DefaultProtocol
	}
	b, err := pickle.EncodeProtocol(dict, proto)
	if err != nil {
		return nil, fmt.Errorf("djangocache: encode: %w", err)
	}
	return b, nil
}

// errNotDict is the error for a pickle of something other than a dict.
var errNotDict = errors.New("djangocache: decode: the pickle holds no dict")

// Decode implements session.Codec.
func (Codec) Decode(data []byte) (map[string][]byte, error) {
	v, err := pickle.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("djangocache: decode: %w", err)
	}
	dict, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w (a %T)", errNotDict, v)
	}
	values := make(map[string][]byte, len(dict))
	for k, e := range dict {
		b, err := signing.JSON.Marshal(jsonValue(e))
		if err != nil {
			return nil, fmt.Errorf("djangocache: decode %.64q: %w", k, err)
		}
		values[k] = b
	}
	return values, nil
}

// jsonValue prepares a decoded pickle value for encoding/json: floats are
// written as Python's repr writes them, big integers in decimal.
func jsonValue(v any) any {
	switch x := v.(type) {
	case float64:
		return json.Number(pythonFloat(x))
	case *big.Int:
		return json.Number(x.String())
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e)
		}
		return out
	}
	return v
}

// pythonFloat formats a finite float as Python's repr (and so json.dumps)
// does: the shortest digits that read back the same, in positional form
// with at least one decimal ("1.0", "0.0001") unless the decimal exponent
// is below -4 or at least 16, which use "1e-05" and "1e+16".
func pythonFloat(f float64) string {
	e := strconv.FormatFloat(f, 'e', -1, 64)
	i := bytes.IndexByte([]byte(e), 'e')
	exp, _ := strconv.Atoi(e[i+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if bytes.IndexByte([]byte(s), '.') < 0 {
		s += ".0"
	}
	return s
}

// ContentVersion is the compare-and-swap version of a Django cache entry
// holding data: the first 8 bytes of its SHA-1, big-endian, with 0 (never a
// valid version) read as 1. See the package documentation.
func ContentVersion(data []byte) session.Version {
	sum := sha1.Sum(data)
	v := session.Version(binary.BigEndian.Uint64(sum[:8]))
	if v == 0 {
		v = 1
	}
	return v
}
