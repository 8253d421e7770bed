package pickle

import (
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecode feeds Decode arbitrary bytes, seeded with Python's pickles
// and hostile ones. Decode must never panic, and whatever it accepts must
// re-encode to a pickle that decodes to the same value (within the budget
// the encoder's own form needs).
func FuzzDecode(f *testing.F) {
	for _, h := range pythonPickles {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	for _, h := range hostile {
		b, _ := hex.DecodeString(strings.ReplaceAll(h, " ", ""))
		f.Add(b)
	}
	lim := Limits{MaxBytes: 1 << 16, MaxDepth: 50, MaxValues: 1 << 12, MaxIntBytes: 64}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := lim.Decode(data)
		if err != nil {
			return
		}
		b, err := Encode(v)
		if err != nil {
			t.Fatalf("Decode accepted %x as %#v, which does not encode: %v", data, v, err)
		}
		// The encoder memoizes every container, as CPython does, so its
		// pickle of a value can cost the decoder up to three times the
		// budget of a compact input (a push, a memo entry and a MARK per
		// value) and more bytes (shared references written out).
		relaxed := lim
		relaxed.MaxValues, relaxed.MaxBytes = 3*lim.MaxValues, DefaultLimits.MaxBytes
		again, err := relaxed.Decode(b)
		if err != nil {
			t.Fatalf("re-encoded %#v does not decode: %v", v, err)
		}
		if !reflect.DeepEqual(v, again) {
			t.Fatalf("round trip changed %#v into %#v", v, again)
		}
	})
}
