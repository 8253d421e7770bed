package signing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tetherweb/tether/signing"
)

// flipMasks are XORed, one at a time, into each byte of a signed value: the
// lowest bit (the smallest change), the ASCII case bit, and the high bit
// (which makes the byte non-ASCII).
var flipMasks = []byte{0x01, 0x02, 0x04, 0x20, 0x40, 0x80}

// eachFlip calls fn with every string that differs from s in exactly one
// byte by one of flipMasks.
func eachFlip(s string, fn func(pos int, mask byte, tampered string)) {
	b := []byte(s)
	for i := range b {
		for _, m := range flipMasks {
			b[i] ^= m
			fn(i, m, string(b))
			b[i] ^= m
		}
	}
}

// twoKB is a 2 KB compressible JSON-encodable value.
func twoKB() map[string]any {
	return map[string]any{
		"text":  strings.Repeat("lorem ipsum dolor sit amet ", 60),
		"items": []any{"a", "b", "c", 1.0, 2.0, 3.0},
	}
}

// TestFlipEveryByteSigner checks that changing any one byte of a Signer or
// TimestampSigner value makes it fail with ErrBadSignature.
func TestFlipEveryByteSigner(t *testing.T) {
	for _, alg := range []signing.Algorithm{signing.SHA256, signing.SHA1, signing.SHA512} {
		for _, sep := range []string{":", "*sep*"} {
			s := mustSigner(t, testKey, signing.WithAlgorithm(alg), signing.WithSeparator(sep))
			ts := mustTimestampSigner(t, testKey, signing.WithAlgorithm(alg), signing.WithSeparator(sep), signing.WithClock(frozen))
			for _, value := range []string{"hello", "", "a:b", "Zoë"} {
				eachFlip(s.Sign(value), func(pos int, mask byte, tampered string) {
					if v, err := s.Unsign(tampered); !errors.Is(err, signing.ErrBadSignature) {
						t.Errorf("%v sep %q Signer: flip %#x at %d of %q accepted: %q, %v", alg, sep, mask, pos, value, v, err)
					}
				})
				eachFlip(ts.Sign(value), func(pos int, mask byte, tampered string) {
					if v, err := ts.Unsign(tampered, 0); !errors.Is(err, signing.ErrBadSignature) {
						t.Errorf("%v sep %q TimestampSigner: flip %#x at %d of %q accepted: %q, %v", alg, sep, mask, pos, value, v, err)
					}
				})
			}
		}
	}
}

// TestFlipEveryByteDumps checks that changing any one byte of a Dumps
// value, compressed or not, makes Loads fail.
func TestFlipEveryByteDumps(t *testing.T) {
	key := []byte(testKey)
	tests := []struct {
		name     string
		value    any
		compress bool
		dotted   bool
	}{
		{"small", map[string]any{"a": 1.0}, false, false},
		{"small with compression", map[string]any{"a": 1.0}, true, false},
		{"2 KB", twoKB(), false, false},
		{"2 KB compressed", twoKB(), true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			signed, err := signing.Dumps(tc.value, key, signing.WithCompression(tc.compress), signing.WithClock(frozen))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.HasPrefix(signed, "."); got != tc.dotted {
				t.Fatalf("compressed = %v, want %v (%.20s…)", got, tc.dotted, signed)
			}
			var v any
			if err := signing.Loads(signed, &v, key); err != nil {
				t.Fatalf("Loads of the untampered value: %v", err)
			}
			eachFlip(signed, func(pos int, mask byte, tampered string) {
				var got any
				if err := signing.Loads(tampered, &got, key); err == nil {
					t.Errorf("flip %#x at %d accepted", mask, pos)
				} else if !errors.Is(err, signing.ErrBadSignature) {
					t.Errorf("flip %#x at %d: err = %v, want ErrBadSignature", mask, pos, err)
				}
			})
		})
	}
}

// TestFlipEveryByteCipher checks that changing any one byte of a sealed
// value makes Open fail with ErrDecrypt, for plaintext lengths covering
// the three base64 tail shapes.
func TestFlipEveryByteCipher(t *testing.T) {
	c, err := signing.NewCipher([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	ad := []byte("cookie-name")
	for n := range 7 {
		pt := []byte(strings.Repeat("p", n))
		sealed := c.Seal(pt, ad)
		if _, err := c.Open(sealed, ad); err != nil {
			t.Fatalf("len %d: Open of the untampered value: %v", n, err)
		}
		eachFlip(sealed, func(pos int, mask byte, tampered string) {
			if got, err := c.Open(tampered, ad); !errors.Is(err, signing.ErrDecrypt) {
				t.Errorf("len %d: flip %#x at %d of %d accepted: %q, %v", n, mask, pos, len(sealed), got, err)
			}
		})
	}
}
