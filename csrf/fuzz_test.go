package csrf

import (
	"strings"
	"testing"
)

// FuzzToken feeds arbitrary strings to the token parser: it never panics,
// accepts exactly the 32- and 64-letter values of the alphabet, and a
// value it accepts verifies against the secret it decodes to when masked
// again.
func FuzzToken(f *testing.F) {
	for _, s := range []string{
		"", "a", strings.Repeat("a", 32), strings.Repeat("a", 64), strings.Repeat("a", 33),
		"1bcdefghij2bcdefghij3bcdefghij4bcdefghij5bcdefghij6bcdefghijABCD",
		strings.Repeat("é", 32), strings.Repeat("*", 64), strings.Repeat("9", 64) + "\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var secret [SecretLength]byte
		got := decode(&secret, s)
		valid := len(s) == SecretLength || len(s) == TokenLength
		for i := 0; valid && i < len(s); i++ {
			valid = strings.IndexByte(alphabet, s[i]) >= 0
		}
		if (got == formatOK) != valid {
			t.Fatalf("decode(%q) = %v, valid %v", s, got, valid)
		}
		if got != formatOK {
			return
		}
		for _, c := range secret {
			if index[c] < 0 {
				t.Fatalf("decoded secret %q has a letter outside the alphabet", secret)
			}
		}
		if len(s) == SecretLength && string(secret[:]) != s {
			t.Fatalf("a 32-letter value must be the secret itself")
		}
		var again [SecretLength]byte
		if decode(&again, mask(&secret)) != formatOK || again != secret {
			t.Fatalf("re-masked secret does not verify")
		}
	})
}
