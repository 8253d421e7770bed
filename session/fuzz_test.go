package session_test

import (
	"bytes"
	"encoding/json"
	"testing"

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
