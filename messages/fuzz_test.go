package messages

import (
	"testing"
)

// FuzzCookieDecode feeds arbitrary cookie values to the cookie storage's
// decoder: it must never panic, and whatever it accepts must re-encode to a
// value that decodes to the same messages.
func FuzzCookieDecode(f *testing.F) {
	cs := &CookieStorage{Key: refKey, Now: refNow}
	if err := cs.init(); err != nil {
		f.Fatal(err)
	}
	f.Add(refCookie)
	v, _ := cs.encode(refMessages, true)
	f.Add(v)
	f.Add(cs.signer.SignBytes([]byte(`[["__json_message",0,20,"x"],"__messagesnotfinished__"]`)))
	f.Add(cs.signer.SignBytes([]byte(`[["__json_message",1,-3,"\ud83d",null]]`)))
	f.Add("")
	f.Add(":::")
	f.Add(".eJw:1r31eq:")
	f.Fuzz(func(t *testing.T, value string) {
		msgs, more, err := cs.decode(value, defaultTags)
		if err != nil {
			return
		}
		again, more2, err := cs.decode(cs.signer.SignBytes(encodeList(msgs, more, false)), defaultTags)
		if err != nil || more2 != more || len(again) != len(msgs) {
			t.Fatalf("round trip: %v %v", err, more2)
		}
		for i := range msgs {
			if again[i] != msgs[i] {
				t.Fatalf("message %d: %+v != %+v", i, again[i], msgs[i])
			}
		}
	})
}

// FuzzDecodeList fuzzes the JSON layer under the signature (which blocks
// almost every input of FuzzCookieDecode): it must never panic, and what it
// accepts must round-trip through the encoder in both separator styles.
func FuzzDecodeList(f *testing.F) {
	f.Add([]byte(refJSON))
	f.Add([]byte(`[["__json_message", 0, 20, "a\u00e9\ud83d\ude00", ""], "__messagesnotfinished__"]`))
	f.Add([]byte(`[["__json_message",true,9223372036854775807,"x"]]`))
	f.Add([]byte(`"[]"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		msgs, more, err := decodeList(data, defaultTags)
		if err != nil {
			return
		}
		for _, spaced := range []bool{false, true} {
			again, more2, err := decodeList(encodeList(msgs, more, spaced), defaultTags)
			if err != nil || more2 != more || len(again) != len(msgs) {
				t.Fatalf("round trip (spaced %v): %v", spaced, err)
			}
			for i := range msgs {
				if again[i] != msgs[i] {
					t.Fatalf("message %d: %+v != %+v", i, again[i], msgs[i])
				}
			}
		}
		var v sessionValue
		v.UnmarshalJSON(data)
	})
}
