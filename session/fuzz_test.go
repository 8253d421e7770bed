package session_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/signing"
)

// FuzzJSONCodecDecode checks the record decoder against encoding/json: it
// never panics, accepts exactly the JSON objects, and splits them into the
// same members with the same values.
func FuzzJSONCodecDecode(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"a":1}`, ` { "a" : [1, {"b": "}"}] , "c\"d" : "x\\"y" } `, `{"a":{"b":[]},"a":2}`,
		`{"\u00e9":null,"t":true,"f":false,"n":-1.5e10}`, `[]`, `"x"`, `{`, `{"a":}`, "\xff", ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := session.JSONCodec{}.Decode(data)
		var want map[string]json.RawMessage
		werr := json.Unmarshal(data, &want)
		if werr != nil || want == nil {
			if err == nil {
				t.Fatalf("Decode(%q) accepted what encoding/json refuses (%v)", data, werr)
			}
			return
		}
		if err != nil {
			t.Fatalf("Decode(%q) refused a JSON object: %v", data, err)
		}
		if len(got) != len(want) {
			t.Fatalf("Decode(%q): %d members, want %d", data, len(got), len(want))
		}
		for k, w := range want {
			var a, b bytes.Buffer
			json.Compact(&a, got[k])
			json.Compact(&b, w)
			if a.String() != b.String() {
				t.Fatalf("Decode(%q)[%q] = %s, want %s", data, k, got[k], w)
			}
		}
	})
}

// FuzzDjangoCodecDecode: arbitrary record data never panics the Django
// decoder, and whatever it accepts re-encodes.
func FuzzDjangoCodecDecode(f *testing.F) {
	c, err := session.NewDjangoCodec([]byte(djangoKey), signing.WithClock(frozen))
	if err != nil {
		f.Fatal(err)
	}
	valid, _ := c.Encode(map[string][]byte{"a": []byte("1")})
	f.Add(valid)
	f.Add([]byte("eyJjYXJ0IjpbMSwyLDNdLCJuYW1lIjoiWm9cdTAwZWIifQ:1r31eq:k1Xwxmw-I3F-mfAv3pomXDCK5DxBwqIOejI1kz57sy8"))
	f.Add([]byte(".eJw:1r31eq:x"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		values, err := c.Decode(data)
		if err != nil {
			return
		}
		if _, err := c.Encode(values); err != nil {
			t.Fatalf("accepted record does not re-encode: %v", err)
		}
	})
}

// FuzzJSONCodecDecodeValue checks the fast paths of DecodeValue against
// encoding/json for every valid JSON value.
func FuzzJSONCodecDecodeValue(f *testing.F) {
	for _, seed := range []string{`"abc"`, `"a\"b"`, `"Zo\u00eb"`, `12`, `-0`, `1e3`, `99999999999999999999`, `true`, `false`, `null`, `"é"`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		c := session.JSONCodec{}
		var s1, s2 string
		e1, e2 := c.DecodeValue(data, &s1), json.Unmarshal(data, &s2)
		if (e1 == nil) != (e2 == nil) || s1 != s2 {
			t.Fatalf("string %q: %q,%v vs %q,%v", data, s1, e1, s2, e2)
		}
		var i1, i2 int
		e1, e2 = c.DecodeValue(data, &i1), json.Unmarshal(data, &i2)
		if (e1 == nil) != (e2 == nil) || i1 != i2 {
			t.Fatalf("int %q: %d,%v vs %d,%v", data, i1, e1, i2, e2)
		}
		var b1, b2 bool
		e1, e2 = c.DecodeValue(data, &b1), json.Unmarshal(data, &b2)
		if (e1 == nil) != (e2 == nil) || b1 != b2 {
			t.Fatalf("bool %q: %v,%v vs %v,%v", data, b1, e1, b2, e2)
		}
	})
}

// FuzzJSONCodecEncodeValue checks the fast paths of EncodeValue against
// signing.JSON (Python-compatible JSON) for strings, ints and bools.
func FuzzJSONCodecEncodeValue(f *testing.F) {
	f.Add("plain", int64(42), true)
	f.Add(`quote " and \ back`, int64(-1), false)
	f.Add("Zoë \x00 \u2028", int64(1<<62), true)
	f.Fuzz(func(t *testing.T, s string, n int64, b bool) {
		c := session.JSONCodec{}
		for _, v := range []any{s, n, int(n), b} {
			got, err := c.EncodeValue(v)
			want, werr := signing.JSON.Marshal(v)
			if (err == nil) != (werr == nil) || !bytes.Equal(got, want) {
				t.Fatalf("EncodeValue(%#v) = %s, %v; want %s, %v", v, got, err, want, werr)
			}
		}
		keys := map[string][]byte{"k": []byte("2"), s: []byte("1")}
		got, err := c.Encode(keys)
		if err != nil || !json.Valid(got) {
			t.Fatalf("Encode(%q) = %s, %v", s, got, err)
		}
		back, err := c.Decode(got)
		if err != nil || string(back[s]) != "1" && utf8.ValidString(s) {
			t.Fatalf("Decode(Encode) lost key %q: %v %v", s, back, err)
		}
	})
}
