package pickle

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"
)

// Pickles made by CPython 3.11's pickle.dumps (protocol 5 unless named).
var pythonPickles = map[string]string{
	// {"_auth_user_id": "7", "cart": {"5": 2}, "name": "Zoë", "n": None,
	// "ok": True, "f": 1.5, "big": 2**70, "neg": -2**40, "l": [1, "two", [3.0]]}
	"dict": "8005958a000000000000007d94288c0d5f617574685f757365725f6964948c0137948c0463617274947d948c0135944b02738c046e616d65948c045a6fc3ab948c016e944e8c026f6b94888c016694473ff80000000000008c03626967948a090000000000000000408c036e6567948a060000000000ff8c016c945d94284b018c0374776f945d944740080000000000006165752e",
	// (1, "a", (2, 3))
	"tuple": "8005950f000000000000004b018c0161944b024b03869487942e",
	// shared = [1, 2]; {"x": shared, "y": shared}
	"shared": "80059517000000000000007d94288c0178945d94284b014b02658c0179946802752e",
	// {"a": [1, 2]}, protocol 2 (BINPUT, no frames)
	"p2": "80027d710058010000006171015d7102284b014b0265732e",
	// datetime.datetime(2024, 1, 2, 3, 4, 5)
	"datetime": "8005952a000000000000008c086461746574696d65948c086461746574696d65949394430a07e8010203040500000094859452942e",
	// an object whose __reduce__ returns (os.system, ("true",))
	"os_system": "8005951f000000000000008c05706f736978948c0673797374656d9493948c047472756594859452942e",
	// {"b": b"\x00"}
	"bytes": "8005950c000000000000007d948c01629443010094732e",
	// {"s": {1}}
	"set": "8005950e000000000000007d948c0173948f94284b0190732e",
	// {5: 2}
	"intkey": "80059508000000000000007d944b054b02732e",
	// r = []; r.append(r)
	"recursive": "80059506000000000000005d946800612e",
	// collections.OrderedDict(a=1)
	"ordered": "80059529000000000000008c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c0161944b01732e",
}

func pythonPickle(t testing.TB, name string) []byte {
	t.Helper()
	b, err := hex.DecodeString(pythonPickles[name])
	if err != nil || len(b) == 0 {
		t.Fatalf("vector %s: %v", name, err)
	}
	return b
}

func TestDecodePython(t *testing.T) {
	big70 := new(big.Int).Lsh(big.NewInt(1), 70)
	tests := map[string]any{
		"dict": map[string]any{
			"_auth_user_id": "7", "cart": map[string]any{"5": int64(2)}, "name": "Zoë", "n": nil,
			"ok": true, "f": 1.5, "big": big70, "neg": int64(-1 << 40),
			"l": []any{int64(1), "two", []any{3.0}},
		},
		"tuple":  []any{int64(1), "a", []any{int64(2), int64(3)}},
		"shared": map[string]any{"x": []any{int64(1), int64(2)}, "y": []any{int64(1), int64(2)}},
		"p2":     map[string]any{"a": []any{int64(1), int64(2)}},
	}
	for name, want := range tests {
		got, err := Decode(pythonPickle(t, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", name, got, want)
		}
	}
}

func TestDecodeRefusesPythonObjects(t *testing.T) {
	for name, want := range map[string]string{
		"datetime":  "GLOBAL",
		"os_system": "GLOBAL",
		"bytes":     "SHORT_BINBYTES",
		"set":       "EMPTY_SET",
		"intkey":    "dict key of type int",
		"recursive": "recursive",
		"ordered":   "GLOBAL",
	} {
		_, err := Decode(pythonPickle(t, name))
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got error %v, want ErrRefused mentioning %q", name, err, want)
		}
	}
}

// hostile are pickles built by hand to attack the decoder.
var hostile = map[string]string{
	"empty":             "",
	"no proto":          "4e2e",
	"protocol 1":        "80014e2e",
	"protocol 6":        "80064e2e",
	"no stop":           "80054e",
	"two values":        "80054e4e2e",
	"trailing":          "80054e2e00",
	"unclosed mark":     "8005284e2e",
	"stack underflow":   "80052e",
	"append to nothing": "8005612e",
	"append to int":     "80054b014b02612e",
	"setitems odd":      "80057d28 4b01752e",
	"memo get missing":  "8005680a2e",
	"long_binget huge":  "80056affffffff2e",
	"memoize empty":     "8005942e",
	"huge string":       "80058dffffffffffffff7f2e",
	"huge binunicode":   "800558ffffffff2e",
	"huge frame":        "800595ffffffffffffffff4e2e",
	"frame overrun":     "80059502000000000000008c0361626394",
	"frame in frame":    "8005950a000000000000009501000000000000004e2e",
	"long4 negative":    "80058bffffffff2e",
	"long4 huge":        "80058bffffff7f2e",
	"nan":               "8005477ff80000000000002e",
	"inf":               "8005477ff00000000000002e",
	"invalid utf8":      "80058c02c3282e",
	"lone surrogate":    "80058c03eda0802e",
	"unknown opcode":    "8005ff2e",
	"global os.system":  "800563706f7369780a73797374656d0a2e",
	"stack_global":      "80058c05706f7369788c0673797374656d932e",
	"reduce":            "80054e29522e",
	"build":             "80054e4e622e",
	"second proto":      "800580054e2e",
	"pop underflow":     "8005302e",
	"popmark no mark":   "8005312e",
	"tuple3 underflow":  "80054e872e",
	"setitem fence":     "80057d284b014b02732e",
}

func TestDecodeHostile(t *testing.T) {
	for name, h := range hostile {
		b, err := hex.DecodeString(strings.ReplaceAll(h, " ", ""))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v, err := Decode(b); err == nil {
			t.Errorf("%s: decoded to %#v, want an error", name, v)
		}
	}
}

// TestDecodeLimits checks each limit with a pickle just inside it and one
// just outside.
func TestDecodeLimits(t *testing.T) {
	nested := func(depth int) []byte {
		var v any = []any{} // depth lists, one inside the other
		for range depth - 1 {
			v = []any{v}
		}
		b, err := Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	lim := Limits{MaxDepth: 10}
	if _, err := lim.Decode(nested(10)); err != nil {
		t.Errorf("depth 10 with MaxDepth 10: %v", err)
	}
	if _, err := lim.Decode(nested(11)); err == nil || !strings.Contains(err.Error(), "deep") {
		t.Errorf("depth 11 with MaxDepth 10: %v", err)
	}
	if _, err := Decode(nested(DefaultLimits.MaxDepth + 1)); err == nil {
		t.Error("default depth limit not applied")
	}

	// A billion laughs: each level a list holding the previous level
	// twice, by memo reference. 40 levels would expand to 2^40 values.
	laughs := []byte{opProto, 5, opNone}
	for i := range 40 {
		laughs = append(laughs, opMemoize)
		laughs = append(laughs, opMark, opLongBinGet, byte(i), 0, 0, 0, opLongBinGet, byte(i), 0, 0, 0, opTuple)
	}
	laughs = append(laughs, opStop)
	if _, err := (Limits{MaxDepth: 100}).Decode(laughs); err == nil || !strings.Contains(err.Error(), "values") {
		t.Errorf("billion laughs: %v, want the value limit", err)
	}

	// Input that repeats one cheap opcode: MEMOIZE, MARK, BINGET.
	for name, op := range map[string][]byte{"MEMOIZE": {opMemoize}, "MARK": {opMark}, "BINGET": {opBinGet, 0}} {
		b := append([]byte{opProto, 5, opNone, opMemoize}, bytes.Repeat(op, 1<<19)...)
		b = append(b, opStop)
		if _, err := Decode(b); err == nil || !strings.Contains(err.Error(), "values") {
			t.Errorf("%d %s opcodes: %v, want the value limit", 1<<19, name, err)
		}
	}

	if _, err := (Limits{MaxBytes: 10}).Decode(pythonPickle(t, "dict")); err == nil {
		t.Error("MaxBytes not applied")
	}
	if _, err := (Limits{MaxValues: 5}).Decode(pythonPickle(t, "dict")); err == nil {
		t.Error("MaxValues not applied")
	}
	long := []byte{opProto, 5, opLong1, 20}
	long = append(long, make([]byte, 20)...)
	long = append(long, opStop)
	if _, err := (Limits{MaxIntBytes: 19}).Decode(long); err == nil {
		t.Error("MaxIntBytes not applied to LONG1")
	}
	if _, err := (Limits{MaxIntBytes: 20}).Decode(long); err != nil {
		t.Errorf("LONG1 of 20 bytes with MaxIntBytes 20: %v", err)
	}
}

func TestDecodeLong(t *testing.T) {
	cases := map[string]string{
		"":                   "0",
		"ff":                 "-1",
		"7f":                 "127",
		"8000":               "128",
		"0080":               "-32768",
		"ffffffffffffff7f":   "9223372036854775807",
		"0000000000000080":   "-9223372036854775808",
		"000000000000000001": "18446744073709551616",
		"0000000000000000ff": "-18446744073709551616",
	}
	for h, want := range cases {
		b, _ := hex.DecodeString(h)
		got := decodeLong(b)
		var s string
		switch x := got.(type) {
		case int64:
			s = big.NewInt(x).String()
		case *big.Int:
			s = x.String()
		}
		if s != want {
			t.Errorf("decodeLong(%s) = %v, want %s", h, got, want)
		}
		if enc := encodeLong(mustBig(t, want)); hex.EncodeToString(enc) != h {
			t.Errorf("encodeLong(%s) = %x, want %s", want, enc, h)
		}
	}
}

func mustBig(t *testing.T, s string) *big.Int {
	x, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("bad number %s", s)
	}
	return x
}
