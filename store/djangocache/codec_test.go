package djangocache

import (
	"encoding/hex"
	"math"
	"strings"
	"testing"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/djangocache/pickle"
)

func TestCodecRoundTrip(t *testing.T) {
	var c Codec
	values := map[string][]byte{}
	for k, v := range map[string]any{
		"_auth_user_id": "7",
		"cart":          map[string]int{"5": 2},
		"name":          "Zoë 😀",
		"tiny":          1e-7,
		"huge":          1e300,
		"list":          []any{nil, true, "x", -3},
	} {
		b, err := c.EncodeValue(v)
		if err != nil {
			t.Fatal(err)
		}
		values[k] = b
	}
	values["big"] = []byte("123456789012345678901234567890")
	// As a Django value would arrive (Go's encoding/json writes 1.0 as 1,
	// see session.JSONCodec).
	values["ratio"] = []byte("1.0")
	data, err := c.Encode(values)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pickle.Decode(data); err != nil {
		t.Fatalf("Encode wrote a pickle that does not decode: %v", err)
	}
	got, err := c.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"_auth_user_id": `"7"`,
		"cart":          `{"5":2}`,
		"name":          `"Zo\u00eb \ud83d\ude00"`,
		"ratio":         `1.0`,
		"tiny":          `1e-07`,
		"huge":          `1e+300`,
		"list":          `[null,true,"x",-3]`,
		"big":           `123456789012345678901234567890`,
	}
	for k, w := range want {
		if string(got[k]) != w {
			t.Errorf("%s: %s, want %s", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("decoded %d values, want %d", len(got), len(want))
	}
	var ratio float64
	if err := c.DecodeValue(got["ratio"], &ratio); err != nil || ratio != 1 {
		t.Errorf("ratio = %v, %v", ratio, err)
	}
	// A float stays a float through Go: encoded again, it is a BINFLOAT.
	again, err := c.Encode(map[string][]byte{"ratio": got["ratio"]})
	if err != nil || !strings.Contains(string(again), "G?\xf0\x00\x00\x00\x00\x00\x00") {
		t.Errorf("1.0 re-encoded as %x, %v", again, err)
	}
}

func TestPythonFloat(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0.0", 1: "1.0", -2.5: "-2.5", 0.1: "0.1", 1e15: "1000000000000000.0", 1e16: "1e+16",
		1.5e16: "1.5e+16", 0.0001: "0.0001", 0.00001: "1e-05", 123.456: "123.456", 5e-324: "5e-324",
		math.MaxFloat64: "1.7976931348623157e+308", 1e22: "1e+22", 12345678901234567: "1.2345678901234568e+16",
	} {
		if got := pythonFloat(f); got != want {
			t.Errorf("pythonFloat(%v) = %s, want %s", f, got, want)
		}
	}
	if got := pythonFloat(math.Copysign(0, -1)); got != "-0.0" {
		t.Errorf("pythonFloat(-0) = %s", got)
	}
}

func TestCodecDecodeRefuses(t *testing.T) {
	var c Codec
	for name, h := range map[string]string{
		// pickle.dumps([1], 5): not a dict
		"list": "80055d944b01612e",
		// {"when": datetime.datetime(2024, 1, 2, 3, 4, 5)}
		"datetime":  "80059534000000000000007d948c047768656e948c086461746574696d65948c086461746574696d65949394430a07e801020304050000009485945294732e",
		"truncated": "8005953700000000",
		"garbage":   "6e6f742061207069636b6c65",
	} {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v, err := c.Decode(b); err == nil {
			t.Errorf("%s: decoded to %v", name, v)
		}
	}
	if _, err := c.Encode(map[string][]byte{"x": []byte("{bad json")}); err == nil {
		t.Error("Encode accepted a value that is not JSON")
	}
	if _, err := c.Encode(map[string][]byte{"x": []byte("1 2")}); err == nil {
		t.Error("Encode accepted two JSON values")
	}
	if _, err := (Codec{Protocol: 3}).Encode(nil); err == nil {
		t.Error("protocol 3 accepted")
	}
	b, err := (Codec{Protocol: 4}).Encode(map[string][]byte{})
	if err != nil || hex.EncodeToString(b) != "80047d942e" {
		t.Errorf("protocol 4 empty dict = %x, %v", b, err)
	}
}

func TestContentVersion(t *testing.T) {
	if ContentVersion([]byte("a")) == ContentVersion([]byte("b")) {
		t.Error("different content, same version")
	}
	// SHA-1("abc") = a9993e364706816a...
	if v := ContentVersion([]byte("abc")); v != session.Version(0xa9993e364706816a) {
		t.Errorf("ContentVersion(abc) = %x", uint64(v))
	}
}

// FuzzCodecDecode: Decode never panics, and what it accepts encodes back
// to a record that decodes to the same values.
func FuzzCodecDecode(f *testing.F) {
	for _, h := range []string{
		"80057d942e",
		"80059537000000000000007d94288c0d5f617574685f757365725f6964948c0137948c0463617274947d948c0135944b02738c046e616d65948c045a6fc3ab94752e",
		"80055d944b01612e",
		"80058c05706f736978948c0673797374656d93942e",
		"80059506000000000000005d946800612e",
	} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	var c Codec
	f.Fuzz(func(t *testing.T, data []byte) {
		values, err := c.Decode(data)
		if err != nil {
			if values != nil {
				t.Fatal("values with an error")
			}
			return
		}
		b, err := c.Encode(values)
		if err != nil {
			t.Fatalf("decoded values do not encode: %v", err)
		}
		again, err := c.Decode(b)
		if err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
		for k, v := range values {
			if string(again[k]) != string(v) {
				t.Fatalf("%q: %s became %s", k, v, again[k])
			}
		}
		if len(again) != len(values) {
			t.Fatal("values lost")
		}
	})
}
