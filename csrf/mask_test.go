package csrf

import (
	"strings"
	"testing"
)

func unmaskString(t *testing.T, s string) string {
	t.Helper()
	var dst [SecretLength]byte
	if f := decode(&dst, s); f != formatOK {
		t.Fatalf("decode(%q): %v", s, f)
	}
	return string(dst[:])
}

// Django's own test vectors (reference §4.2 and §9 item 74).
func TestDjangoVectors(t *testing.T) {
	for token, want := range map[string]string{
		"1bcdefghij2bcdefghij3bcdefghij4bcdefghij5bcdefghij6bcdefghijABCD": "lcccccccX2kcccccccY2jcccccccssIC",
		"2JgchWvM1tpxT2lfz9aydoXW9yT1DN3NdLiejYxOOlzzV4nhBbYqmqZYbAV3V5Bf": "lcccccccX2kcccccccY2jcccccccssIC",
		strings.Repeat("a", 64):                           strings.Repeat("a", 32),
		strings.Repeat("b", 64):                           strings.Repeat("a", 32),
		strings.Repeat("a", 32) + strings.Repeat("b", 32): strings.Repeat("b", 32),
		strings.Repeat("a", 32) + strings.Repeat("c", 32): strings.Repeat("c", 32),
		strings.Repeat("x", 32):                           strings.Repeat("x", 32), // a bare secret is itself
	} {
		if got := unmaskString(t, token); got != want {
			t.Errorf("unmask(%s) = %s, want %s", token, got, want)
		}
	}
}

// mask "b"×32 over secret "a"×32 gives "b"×64 (reference §4.2): checked
// by enciphering with a fixed mask, the step mask takes after drawing it.
func TestMaskArithmetic(t *testing.T) {
	var secret [SecretLength]byte
	copy(secret[:], strings.Repeat("a", 32))
	m := strings.Repeat("b", 32)
	var out []byte
	for i := range SecretLength {
		out = append(out, alphabet[(int(index[secret[i]])+int(index[m[i]]))%62])
	}
	if got := m + string(out); got != strings.Repeat("b", 64) {
		t.Fatalf("got %s", got)
	}
}

func TestMaskRoundTripAndFreshness(t *testing.T) {
	var secret [SecretLength]byte
	newSecret(&secret)
	seen := map[string]bool{}
	for range 200 {
		tok := mask(&secret)
		if len(tok) != TokenLength || checkFormat(tok) != formatOK {
			t.Fatalf("bad token %q", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q repeated", tok)
		}
		seen[tok] = true
		if got := unmaskString(t, tok); got != string(secret[:]) {
			t.Fatalf("round trip: %s != %s", got, secret)
		}
	}
}

func TestRandomLettersCoverAlphabet(t *testing.T) {
	counts := map[byte]int{}
	buf := make([]byte, 62*200)
	randomLetters(buf)
	for _, c := range buf {
		if index[c] < 0 {
			t.Fatalf("letter %q outside the alphabet", c)
		}
		counts[c]++
	}
	if len(counts) != 62 {
		t.Fatalf("only %d letters drawn", len(counts))
	}
}

func TestFormatReasons(t *testing.T) {
	for s, want := range map[string]formatError{
		strings.Repeat("a", 32):       formatOK,
		strings.Repeat("a", 64):       formatOK,
		strings.Repeat("a", 16):       formatLength,
		strings.Repeat("a", 65):       formatLength,
		"":                            formatLength,
		strings.Repeat("*", 64):       formatChars,
		strings.Repeat("é", 32):       formatChars, // 64 bytes, not letters
		strings.Repeat("a", 31) + "-": formatChars,
	} {
		if got := checkFormat(s); got != want {
			t.Errorf("checkFormat(%q) = %v, want %v", s, got, want)
		}
	}
	if formatLength.String() != "has incorrect length" || formatChars.String() != "has invalid characters" {
		t.Fatal("reason wording differs from Django's")
	}
}
