package signing_test

import (
	"bytes"
	"math"
	"reflect"
	"testing"

	"github.com/tetherweb/tether/signing"
)

// TestJSONMatchesPython checks that signing.JSON writes what Python's
// json.dumps(obj, separators=(",", ":")) writes for the same value (every
// expectation below was printed by Python 3.11). Go sorts map keys, so the
// Python dicts were written with sorted keys or the Go side uses structs.
func TestJSONMatchesPython(t *testing.T) {
	thirty := make([]int, 30)
	for i := range thirty {
		thirty[i] = i
	}
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"worked example", map[string]int{"a": 1}, `{"a":1}`},
		{"range 30", thirty, `[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29]`},
		{"session example", cartName{[]int{1, 2, 3}, "Zoë"}, `{"cart":[1,2,3],"name":"Zo\u00eb"}`},
		{"escapes", []string{"Zoë", "😀", "\x7f", "\u2028", "a\tb\n\x00\x1f\b\f", "</script>&'", "/"},
			`["Zo\u00eb","\ud83d\ude00","\u007f","\u2028","a\tb\n\u0000\u001f\b\f","</script>&'","/"]`},
		{"literals", map[string]any{"b": []any{true, false, nil}, "n": -12, "s": "x"}, `{"b":[true,false,null],"n":-12,"s":"x"}`},
		{"BMP specials", "\u2028\u2029\ufeff\uffff", `"\u2028\u2029\ufeff\uffff"`},
		{"last code point", "\U0010ffff", `"\udbff\udfff"`},
		{"empty containers", map[string]any{"k": map[string]any{}, "l": []any{}}, `{"k":{},"l":[]}`},
		{"floats", []float64{1.5, -0.25, 1e300, 0.1}, `[1.5,-0.25,1e+300,0.1]`},
		{"big int", int64(9007199254740993), `9007199254740993`},
		{"quotes and controls", "\"\\\r\x01\x7f\u0080\u00ff", `"\"\\\r\u0001\u007f\u0080\u00ff"`},
		{"no HTML escaping", map[string]string{"&": "/", "<": ">"}, `{"&":"/","<":">"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := signing.JSON.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("Marshal = %s\nwant      %s", got, tc.want)
			}
			for i, c := range got {
				if c < 0x20 || c >= 0x7f {
					t.Errorf("byte %#x at %d is not printable ASCII", c, i)
				}
			}
		})
	}
}

// TestJSONRoundTrip checks that escaped output decodes to the original
// value.
func TestJSONRoundTrip(t *testing.T) {
	in := map[string]any{"s": "Zoë 😀 \u2028 \x7f \x00", "n": 3.25, "l": []any{"é", nil}}
	b, err := signing.JSON.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := signing.JSON.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip = %#v, want %#v", out, in)
	}
}

// TestJSONErrors checks that values JSON cannot represent are errors.
func TestJSONErrors(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), make(chan int)} {
		if b, err := signing.JSON.Marshal(v); err == nil {
			t.Errorf("Marshal(%v) = %s, want an error", v, b)
		}
	}
	var v any
	for _, s := range []string{"", "{", "nope", `{"a":}`} {
		if err := signing.JSON.Unmarshal([]byte(s), &v); err == nil {
			t.Errorf("Unmarshal(%q): want an error", s)
		}
	}
}

// TestASCIIJSON checks the escaping rules of Python's ensure_ascii: every
// byte outside 0x00-0x7e becomes \uXXXX (lower-case hex), astral code
// points become surrogate pairs, and 0x7f (DEL) is escaped too.
func TestASCIIJSON(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`"abc"`, `"abc"`},
		{"\"\x7f\"", `"\u007f"`},
		{`"é"`, `"\u00e9"`},
		{`"Zoë"`, `"Zo\u00eb"`},
		{`"€"`, `"\u20ac"`},
		{"\"\uffff\"", `"\uffff"`},
		{`"😀"`, `"\ud83d\ude00"`},
		{"\"\U00010000\"", `"\ud800\udc00"`},
		{"\"\U0010ffff\"", `"\udbff\udfff"`},
		{`{"ключ":["值",1]}`, `{"\u043a\u043b\u044e\u0447":["\u503c",1]}`},
		{"\"\x7e\"", "\"\x7e\""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := signing.ASCIIJSON([]byte(tc.in)); string(got) != tc.want {
			t.Errorf("ASCIIJSON(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestASCIIJSONNoCopy checks that pure ASCII input is returned as is, and
// that escaping never modifies the input.
func TestASCIIJSONNoCopy(t *testing.T) {
	in := []byte(`{"a":"b"}`)
	if got := signing.ASCIIJSON(in); &got[0] != &in[0] {
		t.Error("ASCII input was copied")
	}
	orig := []byte(`"é"`)
	in = bytes.Clone(orig)
	signing.ASCIIJSON(in)
	if !bytes.Equal(in, orig) {
		t.Errorf("input modified to %q", in)
	}
}

// TestASCIIJSONInvalidUTF8 checks that invalid UTF-8 is escaped as U+FFFD
// rather than copied through.
func TestASCIIJSONInvalidUTF8(t *testing.T) {
	if got := signing.ASCIIJSON([]byte("\"\xff\xfe\"")); string(got) != `"\ufffd\ufffd"` {
		t.Errorf("ASCIIJSON = %s", got)
	}
}
