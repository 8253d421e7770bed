package signing_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/signing"
)

// malformedInputs are values no signer produced: empty, only separators,
// invalid UTF-8, and 1 MiB strings of several shapes.
func malformedInputs() map[string]string {
	const mib = 1 << 20
	return map[string]string{
		"empty":                   "",
		"one separator":           ":",
		"only separators":         "::::::",
		"separator then dot":      ":.",
		"dot":                     ".",
		"dot and separators":      ".::",
		"NUL":                     "\x00",
		"invalid UTF-8":           "\xff\xfe:\xff:\xfe",
		"1 MiB of a":              strings.Repeat("a", mib),
		"1 MiB of separators":     strings.Repeat(":", mib),
		"1 MiB value, no sig":     strings.Repeat("a", mib) + ":",
		"1 MiB signature":         "a:" + strings.Repeat("A", mib),
		"1 MiB timestamp":         "a:" + strings.Repeat("z", mib) + ":sig",
		"1 MiB dotted payload":    "." + strings.Repeat("e", mib) + ":1r31eq:sig",
		"1 MiB of base64 chars":   strings.Repeat("eyJh", mib/4),
		"1 MiB of invalid UTF-8":  strings.Repeat("\xff", mib),
		"fake signature length":   "hello:" + strings.Repeat("A", 43),
		"fake sha512 length":      "hello:" + strings.Repeat("A", 86),
		"fake timestamp triple":   "hello:1r31eq:" + strings.Repeat("A", 43),
		"fake compressed triple":  ".eJxTqqADUAIAfKsvJQ:1r31eq:" + strings.Repeat("A", 43),
		"custom separator pieces": "*sep*:*sep*",
	}
}

// TestMalformedNeverPanics feeds every verifier the malformed inputs: each
// must return its error (and no value), never panic or succeed.
func TestMalformedNeverPanics(t *testing.T) {
	key := []byte(testKey)
	signers := []*signing.Signer{
		mustSigner(t, testKey),
		mustSigner(t, testKey, signing.WithSeparator("*sep*"), signing.WithAlgorithm(signing.SHA512)),
	}
	timestampers := []*signing.TimestampSigner{
		mustTimestampSigner(t, testKey, signing.WithClock(frozen)),
		mustTimestampSigner(t, testKey, signing.WithSalt(signing.DefaultDumpsSalt), signing.WithCompression(true)),
	}
	c := mustCipher(t, testKey)
	for name, in := range malformedInputs() {
		t.Run(name, func(t *testing.T) {
			for _, s := range signers {
				if v, err := s.Unsign(in); !errors.Is(err, signing.ErrBadSignature) || v != "" {
					t.Errorf("Signer(%q).Unsign = %.20q, %v", s.Separator(), v, err)
				}
				if s.Verify(in, in) {
					t.Error("Verify accepted the input as its own signature")
				}
			}
			for _, ts := range timestampers {
				if v, err := ts.Unsign(in, time.Second); !errors.Is(err, signing.ErrBadSignature) || v != "" {
					t.Errorf("TimestampSigner.Unsign = %.20q, %v", v, err)
				}
				if _, _, err := ts.UnsignTime(in); !errors.Is(err, signing.ErrBadSignature) {
					t.Errorf("UnsignTime: err = %v", err)
				}
				if b, err := ts.UnsignBytes(in, 0); !errors.Is(err, signing.ErrBadSignature) || b != nil {
					t.Errorf("UnsignBytes = %.20q, %v", b, err)
				}
			}
			var v any
			if err := signing.Loads(in, &v, key, signing.WithCompression(true)); !errors.Is(err, signing.ErrBadSignature) || v != nil {
				t.Errorf("Loads = %v, %v", v, err)
			}
			if pt, err := c.Open(in, nil); !errors.Is(err, signing.ErrDecrypt) || pt != nil {
				t.Errorf("Open = %.20q, %v", pt, err)
			}
		})
	}
}

// TestSignHugeValue signs and verifies a 1 MiB value.
func TestSignHugeValue(t *testing.T) {
	huge := strings.Repeat("v:", 1<<19)
	s := mustSigner(t, testKey)
	if got, err := s.Unsign(s.Sign(huge)); err != nil || got != huge {
		t.Errorf("round trip of 1 MiB: len %d, %v", len(got), err)
	}
	c := mustCipher(t, testKey)
	if got, err := c.Open(c.Seal([]byte(huge), nil), nil); err != nil || string(got) != huge {
		t.Errorf("seal/open of 1 MiB: len %d, %v", len(got), err)
	}
}
