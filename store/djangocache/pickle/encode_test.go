package pickle

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
)

func TestEncodeMatchesPython(t *testing.T) {
	// The hex is CPython 3.11's pickle.dumps(value, 5).
	for _, tc := range []struct {
		v   any
		hex string
	}{
		{map[string]any{"_auth_user_id": "7", "cart": map[string]any{"5": 2}, "name": "Zoë"},
			"80059537000000000000007d94288c0d5f617574685f757365725f6964948c0137948c0463617274947d948c0135944b02738c046e616d65948c045a6fc3ab94752e"},
		{[]any{nil, true, false, -1, int64(1) << 31, 1.5, strings.Repeat("x", 300)},
			"8005954f010000000000005d94284e88894affffffff8a050000008000473ff8000000000000582c010000" + strings.Repeat("78", 300) + "94652e"},
		{map[string]any{}, "80057d942e"},
	} {
		got, err := Encode(tc.v)
		if err != nil {
			t.Fatalf("Encode(%#v): %v", tc.v, err)
		}
		if h := hex.EncodeToString(got); h != tc.hex {
			t.Errorf("Encode(%#v)\n got %s\nwant %s", tc.v, h, tc.hex)
		}
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	huge, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	v := map[string]any{
		"s": "line\nnul\x00 quote\" é 😀", "big": huge, "ints": []any{int64(0), int64(255), int64(256), int64(65536), int64(math.MinInt64), int64(math.MaxInt64)},
		"f": []any{0.0, -2.5, 1e300, 5e-324}, "nested": map[string]any{"a": []any{map[string]any{}}}, "empty": "",
		"long": strings.Repeat("é", 70000), "many": make([]any, 2500),
	}
	for _, p := range []int{4, 5} {
		b, err := EncodeProtocol(v, p)
		if err != nil {
			t.Fatal(err)
		}
		if b[1] != byte(p) {
			t.Errorf("protocol %d: PROTO byte %d", p, b[1])
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("protocol %d: Decode: %v", p, err)
		}
		if !reflect.DeepEqual(got, v) {
			t.Errorf("protocol %d: round trip changed the value", p)
		}
	}
}

func TestEncodeJSONNumbers(t *testing.T) {
	dec := json.NewDecoder(strings.NewReader(`[1, -7, 1.0, 2e3, 123456789012345678901234567890]`))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	b, err := Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	big30, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	want := []any{int64(1), int64(-7), 1.0, 2000.0, big30}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

func TestEncodeRefuses(t *testing.T) {
	deep := any(nil)
	for range maxEncodeDepth + 1 {
		deep = []any{deep}
	}
	for name, v := range map[string]any{
		"NaN":         math.NaN(),
		"Inf":         math.Inf(-1),
		"bad utf8":    "\xff",
		"bad key":     map[string]any{"\xc3": 1},
		"struct":      struct{}{},
		"int map":     map[int]any{1: 1},
		"bytes":       []byte("x"),
		"bad number":  json.Number("1x"),
		"too deep":    deep,
		"nil big.Int": (*big.Int)(nil),
	} {
		if b, err := Encode(v); err == nil {
			t.Errorf("%s: encoded to %x, want an error", name, b)
		}
	}
	if _, err := EncodeProtocol(nil, 3); err == nil {
		t.Error("protocol 3 accepted")
	}
}

// TestEncodeFrames checks the framing of a pickle larger than a frame:
// every FRAME header must announce exactly the bytes up to the next
// frame or unframed opcode, and Decode must read it back.
func TestEncodeFrames(t *testing.T) {
	items := make([]any, 3000)
	for i := range items {
		items[i] = strings.Repeat("s", 50)
	}
	b, err := Encode(items)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b, []byte{opFrame}); n < 2 {
		t.Errorf("a %d-byte pickle has %d FRAME opcodes, want several", len(b), n)
	}
	if _, err := Decode(b); err != nil {
		t.Fatal(err)
	}
}
