package signing_test

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/signing"
)

// sessionSalt is the salt Django's database-backed sessions sign with.
const sessionSalt = "django.contrib.sessions.SessionStore"

// cartName is the session dict of the reference's §2.3 example, with its
// keys in Django's insertion order.
type cartName struct {
	Cart []int  `json:"cart"`
	Name string `json:"name"`
}

// TestDumpsVectors checks Dumps against values written by Django 3.2 with
// the clock frozen at 1700000000; uncompressed payloads must be byte
// identical.
func TestDumpsVectors(t *testing.T) {
	tests := []struct {
		name string
		v    any
		opts []signing.Option
		want string
	}{
		{"worked example", map[string]int{"a": 1}, nil,
			"eyJhIjoxfQ:1r31eq:QHHKoQuNmxh3xBnmIw0GRrTd0ez6HlDa_HO3yn8zhaQ"},
		{"session data, compression not worth it", cartName{[]int{1, 2, 3}, "Zoë"},
			[]signing.Option{signing.WithSalt(sessionSalt), signing.WithCompression(true)},
			"eyJjYXJ0IjpbMSwyLDNdLCJuYW1lIjoiWm9cdTAwZWIifQ:1r31eq:k1Xwxmw-I3F-mfAv3pomXDCK5DxBwqIOejI1kz57sy8"},
		{"escapes", []string{"Zoë", "😀", "\x7f", "\u2028", "a\tb\n\x00\x1f\b\f", "</script>&'", "/"}, nil,
			"WyJab1x1MDBlYiIsIlx1ZDgzZFx1ZGUwMCIsIlx1MDA3ZiIsIlx1MjAyOCIsImFcdGJcblx1MDAwMFx1MDAxZlxiXGYiLCI8L3NjcmlwdD4mJyIsIi8iXQ:1r31eq:ZmMXvd4sE3qMRF8Xm2TvpR0FogNCflLVKOHiPOYNuzc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := signing.Dumps(tc.v, []byte(testKey), append(tc.opts, signing.WithClock(frozen))...)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Dumps = %q\nwant    %q", got, tc.want)
			}
		})
	}
}

// TestLoadsDjangoVectors decodes values written by Django 3.2, including
// zlib-compressed ones whose bytes Go's compressor would not reproduce.
func TestLoadsDjangoVectors(t *testing.T) {
	thirty := make([]any, 30)
	for i := range thirty {
		thirty[i] = float64(i)
	}
	tests := []struct {
		name   string
		signed string
		salt   string
		want   any
	}{
		{"worked example", "eyJhIjoxfQ:1r31eq:QHHKoQuNmxh3xBnmIw0GRrTd0ez6HlDa_HO3yn8zhaQ",
			signing.DefaultDumpsSalt, map[string]any{"a": 1.0}},
		{"compressed range(30)",
			".eJwNy8kNACEQA8GE-oHNXMSCNv80lm9JdRfCbIKkaIaDHgoZbRQoUaFGgw5e-B3jjQMnLtx48Pl-gH4Pug:1r31eq:JjMP7HLveMTZ58R9HXVQRU2U3KlFi14Kzw3GltI6IC0",
			signing.DefaultDumpsSalt, thirty},
		{"compressed string", ".eJxTqqADUAIAfKsvJQ:1r31eq:yjMqLZ88BWqQNXJbBqeQUlXS1NPPIoe9dufwFJC-cx0",
			signing.DefaultDumpsSalt, strings.Repeat("x", 100)},
		{"session", "eyJjYXJ0IjpbMSwyLDNdLCJuYW1lIjoiWm9cdTAwZWIifQ:1r31eq:k1Xwxmw-I3F-mfAv3pomXDCK5DxBwqIOejI1kz57sy8",
			sessionSalt, map[string]any{"cart": []any{1.0, 2.0, 3.0}, "name": "Zoë"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got any
			err := signing.Loads(tc.signed, &got, []byte(testKey), signing.WithSalt(tc.salt),
				signing.WithClock(frozen), signing.WithMaxAge(time.Second))
			if err != nil {
				t.Fatalf("Loads: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Loads = %#v, want %#v", got, tc.want)
			}
			if err := signing.Loads(tc.signed, &got, []byte(testKey)); tc.salt != signing.DefaultDumpsSalt && !errors.Is(err, signing.ErrBadSignature) {
				t.Errorf("Loads with the default salt: err = %v, want ErrBadSignature", err)
			}
		})
	}
}

// TestDumpsCompressedForm checks the leading-dot form: Go's compressed
// range(30) starts like Django's (zlib header 78 9c), and reads back.
func TestDumpsCompressedForm(t *testing.T) {
	thirty := make([]int, 30)
	for i := range thirty {
		thirty[i] = i
	}
	signed, err := signing.Dumps(thirty, []byte(testKey), signing.WithCompression(true), signing.WithClock(frozen))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(signed, ".eJw") {
		t.Errorf("Dumps = %q, want the .eJw prefix of a zlib stream", signed)
	}
	var got []int
	if err := signing.Loads(signed, &got, []byte(testKey)); err != nil || !reflect.DeepEqual(got, thirty) {
		t.Errorf("Loads = %v, %v", got, err)
	}
	plain, err := signing.Dumps(thirty, []byte(testKey), signing.WithClock(frozen))
	if err != nil {
		t.Fatal(err)
	}
	if len(signed) >= len(plain) {
		t.Errorf("compressed %d bytes, uncompressed %d", len(signed), len(plain))
	}
}

// TestDumpsCompressionOnlyWhenWorthIt checks Django's rule that the
// compressed form is used only when it is at least two bytes shorter, and
// that turning compression on never changes an incompressible dump.
func TestDumpsCompressionOnlyWhenWorthIt(t *testing.T) {
	key := []byte(testKey)
	for _, v := range []any{"", "a", map[string]int{"a": 1}, []int{1, 2, 3}, "Zoë"} {
		off, err := signing.Dumps(v, key, signing.WithClock(frozen))
		if err != nil {
			t.Fatal(err)
		}
		on, err := signing.Dumps(v, key, signing.WithClock(frozen), signing.WithCompression(true))
		if err != nil {
			t.Fatal(err)
		}
		if on != off {
			t.Errorf("%v: compression changed a small value: %q vs %q", v, on, off)
		}
	}
	on, err := signing.Dumps(strings.Repeat("ab", 500), key, signing.WithCompression(true))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(on, ".") {
		t.Errorf("a repetitive value was not compressed: %.30q…", on)
	}
}

// TestDumpsLoadsRoundTrip is §9 items 5 and 15: lists, strings (also
// non-ASCII) and dicts round-trip with and without compression, through
// Dumps/Loads and SignObject/UnsignObject, and the dump never equals the
// input.
func TestDumpsLoadsRoundTrip(t *testing.T) {
	objects := []any{
		[]any{"a", "list"},
		"a string \u2019",
		map[string]any{"a": "dictionary"},
		map[string]any{"nested": map[string]any{"x": []any{true, false, nil, 1.5, -2.0}}, "e": ""},
		"😀 astral",
		1e300,
		[]any{},
		twoKB(),
	}
	key := []byte(testKey)
	for _, compress := range []bool{false, true} {
		ts := mustTimestampSigner(t, testKey, signing.WithSalt(signing.DefaultDumpsSalt),
			signing.WithCompression(compress), signing.WithClock(frozen))
		for _, obj := range objects {
			signed, err := signing.Dumps(obj, key, signing.WithCompression(compress), signing.WithClock(frozen))
			if err != nil {
				t.Fatal(err)
			}
			raw, err := json.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			if signed == string(raw) {
				t.Errorf("Dumps(%v) equals its JSON", obj)
			}
			var got any
			if err := signing.Loads(signed, &got, key); err != nil {
				t.Fatalf("Loads: %v", err)
			}
			if !reflect.DeepEqual(got, obj) {
				t.Errorf("compress=%v: Loads(Dumps(%v)) = %v", compress, obj, got)
			}
			viaSigner, err := ts.SignObject(obj)
			if err != nil {
				t.Fatal(err)
			}
			if viaSigner != signed {
				t.Errorf("SignObject differs from Dumps: %q vs %q", viaSigner, signed)
			}
			got = nil
			if err := ts.UnsignObject(signed, &got, 0); err != nil || !reflect.DeepEqual(got, obj) {
				t.Errorf("UnsignObject = %v, %v", got, err)
			}
		}
	}
}

// TestLoadsIntoStruct decodes into a typed value.
func TestLoadsIntoStruct(t *testing.T) {
	in := cartName{Cart: []int{4, 5}, Name: "Ünïcode"}
	signed, err := signing.Dumps(in, []byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	var out cartName
	if err := signing.Loads(signed, &out, []byte(testKey)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("Loads = %+v, want %+v", out, in)
	}
}

// TestLoadsDetectsTampering is §9 item 6.
func TestLoadsDetectsTampering(t *testing.T) {
	key := []byte(testKey)
	for _, compress := range []bool{false, true} {
		signed, err := signing.Dumps(map[string]any{"foo": strings.Repeat("bar", 20)}, key, signing.WithCompression(compress))
		if err != nil {
			t.Fatal(err)
		}
		for name, tampered := range map[string]string{
			"upper":             strings.ToUpper(signed),
			"append":            signed + "d",
			"replace first":     "a" + signed[1:],
			"remove separators": strings.ReplaceAll(signed, ":", ""),
			"drop dot":          strings.TrimPrefix(signed, "."),
			"add dot":           "." + signed,
		} {
			if tampered == signed {
				continue // "drop dot" on an uncompressed value
			}
			var v any
			if err := signing.Loads(tampered, &v, key); !errors.Is(err, signing.ErrBadSignature) {
				t.Errorf("compress=%v %s: err = %v, want ErrBadSignature", compress, name, err)
			}
		}
	}
}

// TestLoadsWrongSaltKeyAndFallbacks checks salt separation, wrong keys and
// fallback keys for Loads.
func TestLoadsWrongSaltKeyAndFallbacks(t *testing.T) {
	signed, err := signing.Dumps("v", []byte("old key"), signing.WithSalt("purpose"))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := signing.Loads(signed, &v, []byte("old key")); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("default salt: err = %v", err)
	}
	if err := signing.Loads(signed, &v, []byte("new key"), signing.WithSalt("purpose")); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("wrong key: err = %v", err)
	}
	err = signing.Loads(signed, &v, []byte("new key"), signing.WithSalt("purpose"), signing.WithFallbackKeys([]byte("older"), []byte("old key")))
	if err != nil || v != "v" {
		t.Errorf("fallback key: %v, %v", v, err)
	}
	if _, err := signing.Dumps("v", nil); err == nil {
		t.Error("Dumps with an empty key: want an error")
	}
	if err := signing.Loads(signed, &v, nil); err == nil {
		t.Error("Loads with an empty key: want an error")
	}
}

// TestLoadsMaxAge checks WithMaxAge on Loads: the boundary is inclusive
// and expiry is reported as ErrExpired only.
func TestLoadsMaxAge(t *testing.T) {
	key := []byte(testKey)
	signed, err := signing.Dumps("v", key, signing.WithClock(frozen))
	if err != nil {
		t.Fatal(err)
	}
	later := signing.WithClock(frozenAt(frozenUnix + 60))
	var v any
	if err := signing.Loads(signed, &v, key, later, signing.WithMaxAge(time.Minute)); err != nil {
		t.Errorf("age == max age: %v", err)
	}
	err = signing.Loads(signed, &v, key, later, signing.WithMaxAge(59*time.Second))
	if !errors.Is(err, signing.ErrExpired) || errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("age > max age: err = %v, want ErrExpired only", err)
	}
	if err := signing.Loads(signed, &v, key, later); err != nil {
		t.Errorf("no max age: %v", err)
	}
}

// signedPayload signs an arbitrary payload text with the Dumps salt, to
// build values that are authentic but malformed.
func signedPayload(t testing.TB, payload string) string {
	t.Helper()
	return mustTimestampSigner(t, testKey, signing.WithSalt(signing.DefaultDumpsSalt), signing.WithClock(frozen)).Sign(payload)
}

// TestLoadsForeignButValid checks payloads another encoder may write and
// Django accepts (§1.5): padded base64, whitespace, HTML escapes, floats
// for ints, a zlib stream at another level.
func TestLoadsForeignButValid(t *testing.T) {
	var best bytes.Buffer
	zw, err := zlib.NewWriterLevel(&best, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write([]byte(`{"a":"<b>"}`)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		payload string
	}{
		{"padded", base64.URLEncoding.EncodeToString([]byte(`{"a":"<b>"}`))},
		{"whitespace", base64.RawURLEncoding.EncodeToString([]byte(` { "a" : "<b>" } `))},
		{"html escapes", base64.RawURLEncoding.EncodeToString([]byte(`{"a":"\u003cb\u003e"}`))},
		{"best compression", "." + base64.RawURLEncoding.EncodeToString(best.Bytes())},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got map[string]string
			if err := signing.Loads(signedPayload(t, tc.payload), &got, []byte(testKey)); err != nil {
				t.Fatal(err)
			}
			if got["a"] != "<b>" {
				t.Errorf("Loads = %v", got)
			}
		})
	}
}

// TestLoadsMalformedPayload checks authentic values whose payload is not
// what Dumps writes: they fail with an error, never a panic, and never
// decode.
func TestLoadsMalformedPayload(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		badSig  bool // the failure must match ErrBadSignature
	}{
		{"not base64", "!!!", true},
		{"line break", "eyJh\nIjoxfQ", true},
		{"bad length", "eyJhI", true},
		{"not json", base64.RawURLEncoding.EncodeToString([]byte("not json")), false},
		{"empty", "", false},
		{"dot only", ".", false},
		{"dot, not zlib", "." + base64.RawURLEncoding.EncodeToString([]byte("plain text")), false},
		{"dot, truncated zlib", ".eJwNy8kNACEQA8GE", false},
		{"two dots", "..eJxTqqADUAIAfKsvJQ", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			err := signing.Loads(signedPayload(t, tc.payload), &v, []byte(testKey))
			if err == nil {
				t.Fatalf("Loads accepted %q as %v", tc.payload, v)
			}
			if tc.badSig && !errors.Is(err, signing.ErrBadSignature) {
				t.Errorf("err = %v, want ErrBadSignature", err)
			}
		})
	}
}

// zlibBomb returns a zlib stream of n zero bytes.
func zlibBomb(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<16)
	for n > 0 {
		k := min(n, len(zeros))
		if _, err := zw.Write(zeros[:k]); err != nil {
			t.Fatal(err)
		}
		n -= k
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestLoadsDecompressionBound checks that a small signed payload that
// inflates beyond the limit fails with ErrTooLarge, by default (8 MiB) and
// with WithMaxDecompressedSize, and that a payload of exactly the limit is
// accepted.
func TestLoadsDecompressionBound(t *testing.T) {
	bomb := zlibBomb(t, 16<<20)
	if len(bomb) > 64<<10 {
		t.Fatalf("the bomb is %d bytes, expected a small one", len(bomb))
	}
	signed := signedPayload(t, "."+base64.RawURLEncoding.EncodeToString(bomb))
	var v any
	err := signing.Loads(signed, &v, []byte(testKey))
	if !errors.Is(err, signing.ErrTooLarge) {
		t.Fatalf("16 MiB bomb: err = %v, want ErrTooLarge", err)
	}
	if errors.Is(err, signing.ErrBadSignature) {
		t.Error("ErrTooLarge also matches ErrBadSignature")
	}

	// A JSON string of exactly limit bytes: "xxx…".
	const limit = 1000
	exact, err := signing.Dumps(strings.Repeat("x", limit-2), []byte(testKey), signing.WithCompression(true))
	if err != nil {
		t.Fatal(err)
	}
	over, err := signing.Dumps(strings.Repeat("x", limit-1), []byte(testKey), signing.WithCompression(true))
	if err != nil {
		t.Fatal(err)
	}
	if err := signing.Loads(exact, &v, []byte(testKey), signing.WithMaxDecompressedSize(limit)); err != nil {
		t.Errorf("exactly the limit: %v", err)
	}
	if err := signing.Loads(over, &v, []byte(testKey), signing.WithMaxDecompressedSize(limit)); !errors.Is(err, signing.ErrTooLarge) {
		t.Errorf("one byte over the limit: err = %v, want ErrTooLarge", err)
	}
	// n <= 0 restores the default, which the 1000-byte value fits.
	if err := signing.Loads(over, &v, []byte(testKey), signing.WithMaxDecompressedSize(limit), signing.WithMaxDecompressedSize(0)); err != nil {
		t.Errorf("default limit: %v", err)
	}
	ts := mustTimestampSigner(t, testKey, signing.WithSalt(signing.DefaultDumpsSalt), signing.WithMaxDecompressedSize(limit))
	if _, err := ts.UnsignBytes(over, 0); !errors.Is(err, signing.ErrTooLarge) {
		t.Errorf("UnsignBytes: err = %v, want ErrTooLarge", err)
	}
}

// TestDumpsSerializeError checks that a value JSON cannot encode is an
// error, not a panic.
func TestDumpsSerializeError(t *testing.T) {
	for _, v := range []any{make(chan int), func() {}, map[bool]int{true: 1}} {
		if s, err := signing.Dumps(v, []byte(testKey)); err == nil {
			t.Errorf("Dumps(%T) = %q, want an error", v, s)
		}
	}
}

// reverseSerializer is a Serializer that stores a string reversed, to show
// WithSerializer is honoured in both directions.
type reverseSerializer struct{}

func (reverseSerializer) Marshal(v any) ([]byte, error) {
	s, ok := v.(string)
	if !ok {
		return nil, errors.New("reverseSerializer: not a string")
	}
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b, nil
}

func (r reverseSerializer) Unmarshal(data []byte, v any) error {
	p, ok := v.(*string)
	if !ok {
		return errors.New("reverseSerializer: not a *string")
	}
	b, err := r.Marshal(string(data))
	if err != nil {
		return err
	}
	*p = string(b)
	return nil
}

// TestCustomSerializer checks WithSerializer on Dumps, Loads and the
// TimestampSigner object methods.
func TestCustomSerializer(t *testing.T) {
	opt := signing.WithSerializer(reverseSerializer{})
	signed, err := signing.Dumps("abc", []byte(testKey), opt, signing.WithClock(frozen))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(signed, base64.RawURLEncoding.EncodeToString([]byte("cba"))+":") {
		t.Errorf("Dumps = %q, want the payload cba", signed)
	}
	var out string
	if err := signing.Loads(signed, &out, []byte(testKey), opt); err != nil || out != "abc" {
		t.Errorf("Loads = %q, %v", out, err)
	}
	if _, err := signing.Dumps(1, []byte(testKey), opt); err == nil {
		t.Error("serializer error not reported by Dumps")
	}
	var n int
	if err := signing.Loads(signed, &n, []byte(testKey), opt); err == nil {
		t.Error("deserializer error not reported by Loads")
	}
}

// TestSignBytes checks the byte-level methods: a payload survives exactly,
// also when it is not valid UTF-8.
func TestSignBytes(t *testing.T) {
	ts := mustTimestampSigner(t, testKey, signing.WithCompression(true), signing.WithClock(frozen))
	for _, data := range [][]byte{nil, {0}, {0xff, 0xfe}, bytes.Repeat([]byte{0x80, 1}, 3000)} {
		signed := ts.SignBytes(data)
		got, err := ts.UnsignBytes(signed, time.Hour)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("UnsignBytes(SignBytes(% x…)) = % x…, %v", data[:min(len(data), 4)], got[:min(len(got), 4)], err)
		}
	}
}

func TestUnsignBytesTime(t *testing.T) {
	ts, err := signing.NewTimestampSigner([]byte("k"), signing.WithClock(func() time.Time { return time.Unix(1700000000, 0) }), signing.WithCompression(true))
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{"short", strings.Repeat("compressible ", 50)} {
		signed := ts.SignBytes([]byte(data))
		got, at, err := ts.UnsignBytesTime(signed)
		if err != nil || string(got) != data || at.Unix() != 1700000000 {
			t.Fatalf("UnsignBytesTime = %q, %v, %v", got, at, err)
		}
		if _, _, err := ts.UnsignBytesTime(signed + "x"); !errors.Is(err, signing.ErrBadSignature) {
			t.Fatalf("tampered: %v", err)
		}
	}
}
