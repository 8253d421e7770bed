package signing

import (
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fuzzKey is the key every fuzz target signs and verifies with.
var fuzzKey = []byte("interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")

// fuzzClock is the frozen clock of the fuzz targets.
func fuzzClock() time.Time { return time.Unix(1700000000, 0) }

// nearMisses returns s with a few small corruptions, as seed inputs that
// are almost valid.
func nearMisses(s string) []string {
	out := []string{s, s + "x", strings.ToUpper(s), strings.ReplaceAll(s, ":", "")}
	if len(s) > 0 {
		out = append(out, s[:len(s)-1], "a"+s[1:], s[1:])
	}
	return out
}

// FuzzUnsign checks Signer.Unsign and TimestampSigner.Unsign: they never
// panic, and whatever verifies is exactly what Sign writes for the value
// returned (so it re-signs to an accepted value).
func FuzzUnsign(f *testing.F) {
	s, err := NewSigner(fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	ts, err := NewTimestampSigner(fuzzKey, WithClock(fuzzClock))
	if err != nil {
		f.Fatal(err)
	}
	for _, v := range []string{"hello", "", "a:b", "Zoë", "1r31eq", strings.Repeat("x", 300)} {
		for _, seed := range nearMisses(s.Sign(v)) {
			f.Add(seed)
		}
		for _, seed := range nearMisses(ts.Sign(v)) {
			f.Add(seed)
		}
	}
	f.Add("hello:nrtvkW2YN8hHyU0pHX013RLwwL4tskEVHfWExG1h4m8")
	f.Add("hello:1r31eq:UxewMrpiTe0IgFGNuJ_Gh6DGVgFoAuEBJodyJpVF36o")
	f.Add(":")
	f.Add("::")
	f.Fuzz(func(t *testing.T, in string) {
		if v, err := s.Unsign(in); err == nil {
			if again := s.Sign(v); again != in {
				t.Fatalf("Unsign(%q) = %q but Sign gives %q", in, v, again)
			}
		}
		v, when, err := ts.UnsignTime(in)
		if err != nil {
			if v2, err2 := ts.Unsign(in, time.Second); err2 == nil {
				t.Fatalf("Unsign accepted %q (%q) where UnsignTime refused it: %v", in, v2, err)
			}
			return
		}
		// The inner text verifies with the plain signer and re-signs to
		// the input; a timestamper stopped at the same second re-signs the
		// value to something it accepts with the same result.
		inner, err := ts.Signer().Unsign(in)
		if err != nil || ts.Signer().Sign(inner) != in {
			t.Fatalf("UnsignTime accepted %q but the inner signer does not: %q, %v", in, inner, err)
		}
		at, err := NewTimestampSigner(fuzzKey, WithClock(func() time.Time { return when }))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ts.Unsign(at.Sign(v), 0)
		if err != nil || got != v {
			t.Fatalf("re-signed %q: Unsign = %q, %v", v, got, err)
		}
	})
}

// FuzzLoads checks Loads and UnsignObject into any: they never panic, and
// a value that loads dumps again to a value that loads to the same thing.
func FuzzLoads(f *testing.F) {
	ts, err := NewTimestampSigner(fuzzKey, WithSalt(DefaultDumpsSalt), WithClock(fuzzClock), WithCompression(true))
	if err != nil {
		f.Fatal(err)
	}
	for _, v := range []any{
		map[string]any{"a": 1}, []any{1, "two", 3.5, nil, true}, "Zoë 😀",
		strings.Repeat("compress me ", 50), map[string]any{"nested": []any{map[string]any{}}},
	} {
		signed, err := ts.SignObject(v)
		if err != nil {
			f.Fatal(err)
		}
		for _, seed := range nearMisses(signed) {
			f.Add(seed)
		}
	}
	f.Add("eyJhIjoxfQ:1r31eq:QHHKoQuNmxh3xBnmIw0GRrTd0ez6HlDa_HO3yn8zhaQ")
	f.Add(".eJwNy8kNACEQA8GE-oHNXMSCNv80lm9JdRfCbIKkaIaDHgoZbRQoUaFGgw5e-B3jjQMnLtx48Pl-gH4Pug:1r31eq:JjMP7HLveMTZ58R9HXVQRU2U3KlFi14Kzw3GltI6IC0")
	f.Add(ts.Sign("."))
	f.Add(ts.Sign(".AAAA"))
	f.Add(ts.Sign("bm90IGpzb24"))
	f.Fuzz(func(t *testing.T, in string) {
		var v any
		err := Loads(in, &v, fuzzKey, WithClock(fuzzClock))
		var w any
		err2 := ts.UnsignObject(in, &w, 0)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("Loads and UnsignObject disagree on %q: %v vs %v", in, err, err2)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(v, w) {
			t.Fatalf("Loads = %#v, UnsignObject = %#v", v, w)
		}
		again, err := Dumps(v, fuzzKey, WithClock(fuzzClock), WithCompression(true))
		if err != nil {
			t.Fatalf("Dumps of a loaded value %#v: %v", v, err)
		}
		var back any
		if err := Loads(again, &back, fuzzKey); err != nil {
			t.Fatalf("Loads of the re-dumped %q: %v", again, err)
		}
		if !reflect.DeepEqual(back, v) {
			t.Fatalf("re-dumped value loads as %#v, want %#v", back, v)
		}
	})
}

// FuzzCipherOpen checks Cipher.Open: it never panics, only the canonical
// encoding of a sealed value opens, and an opened plaintext seals again to
// a value that opens to it.
func FuzzCipherOpen(f *testing.F) {
	c, err := NewCipher(fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	ad := []byte("ad")
	for _, pt := range []string{"", "a", "ab", "abc", "hello, world", strings.Repeat("z", 200)} {
		for _, seed := range nearMisses(c.Seal([]byte(pt), ad)) {
			f.Add(seed)
		}
	}
	f.Add("")
	f.Add("AQ")
	f.Add(base64.RawURLEncoding.EncodeToString(make([]byte, Overhead)))
	f.Fuzz(func(t *testing.T, in string) {
		pt, err := c.Open(in, ad)
		if err != nil {
			return
		}
		raw, derr := base64.RawURLEncoding.DecodeString(in)
		if derr != nil || base64.RawURLEncoding.EncodeToString(raw) != in {
			t.Fatalf("Open accepted the non-canonical %q", in)
		}
		got, err := c.Open(c.Seal(pt, ad), ad)
		if err != nil || string(got) != string(pt) {
			t.Fatalf("re-sealed %q opens as %q, %v", pt, got, err)
		}
	})
}

// FuzzBase62Decode checks base62Decode: it never panics, a decoded number
// encodes to a string that decodes to the same number, and canonical input
// (no leading zeros, no "-0") is exactly what base62Encode writes.
func FuzzBase62Decode(f *testing.F) {
	for _, s := range []string{"0", "1r31eq", "8M0kX", "-1", "-0", "00", "z", "AzL8n0Y58m7", "AzL8n0Y58m8",
		"-AzL8n0Y58m8", "-AzL8n0Y58m9", "", "-", "zzzzzzzzzzzz", "1r31eq!", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := base62Decode(in)
		if err != nil {
			return
		}
		enc := base62Encode(n)
		back, err := base62Decode(enc)
		if err != nil || back != n {
			t.Fatalf("base62Decode(%q) = %d; base62Encode gives %q which decodes to %d, %v", in, n, enc, back, err)
		}
		digits := strings.TrimPrefix(in, "-")
		canonical := !(len(digits) > 1 && digits[0] == '0') && in != "-0"
		if canonical && enc != in {
			t.Fatalf("base62Decode(%q) = %d, which encodes as %q", in, n, enc)
		}
	})
}

// FuzzCipherOpenBytes: any bytes either fail with ErrDecrypt or are a
// value the cipher sealed (never a panic).
func FuzzCipherOpenBytes(f *testing.F) {
	c, err := NewCipher(fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	ad := []byte("ad")
	for _, pt := range []string{"", "a", `{"cart":{"1":2}}`, strings.Repeat("z", 300)} {
		s := c.SealBytes([]byte(pt), ad)
		f.Add(s)
		f.Add(s[:len(s)-1])
		f.Add(append([]byte{2}, s[1:]...))
	}
	f.Add([]byte{})
	f.Add(make([]byte, Overhead))
	f.Fuzz(func(t *testing.T, in []byte) {
		pt, _, err := c.OpenBytes(in, ad)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("error %v does not wrap ErrDecrypt", err)
			}
			return
		}
		if len(in) != len(pt)+Overhead {
			t.Fatalf("opened %d bytes into %d", len(in), len(pt))
		}
	})
}
