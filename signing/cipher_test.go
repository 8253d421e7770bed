package signing_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/tetherweb/tether/signing"
)

// mustCipher builds a Cipher or fails the test.
func mustCipher(t testing.TB, key string, opts ...signing.Option) *signing.Cipher {
	t.Helper()
	c, err := signing.NewCipher([]byte(key), opts...)
	if err != nil {
		t.Fatalf("NewCipher: %v", err)
	}
	return c
}

// TestCipherRoundTrip seals and opens plaintexts of several sizes and
// checks the sealed form: unpadded URL-safe base64 of version 1, a 24-byte
// nonce, the ciphertext and a 16-byte tag.
func TestCipherRoundTrip(t *testing.T) {
	c := mustCipher(t, testKey)
	for _, n := range []int{0, 1, 2, 3, 15, 16, 17, 100, 4096, 1 << 16} {
		pt := bytes.Repeat([]byte{0xa5, 'x', 0}, n/3+1)[:n]
		ad := []byte("ad")
		sealed := c.Seal(pt, ad)
		if strings.ContainsAny(sealed, "+/=") {
			t.Errorf("len %d: sealed value %.20q… is not unpadded URL-safe base64", n, sealed)
		}
		raw, err := base64.RawURLEncoding.DecodeString(sealed)
		if err != nil {
			t.Fatalf("len %d: %v", n, err)
		}
		if len(raw) != signing.Overhead+n {
			t.Errorf("len %d: sealed %d bytes, want %d", n, len(raw), signing.Overhead+n)
		}
		if raw[0] != 1 {
			t.Errorf("len %d: version byte %d, want 1", n, raw[0])
		}
		if n >= 8 && bytes.Contains(raw, pt) {
			t.Errorf("len %d: the plaintext appears in the sealed value", n)
		}
		got, err := c.Open(sealed, ad)
		if err != nil {
			t.Fatalf("len %d: Open: %v", n, err)
		}
		if !bytes.Equal(got, pt) {
			t.Errorf("len %d: Open = %x, want %x", n, got, pt)
		}
	}
	if signing.Overhead != 41 {
		t.Errorf("Overhead = %d, want 41", signing.Overhead)
	}
}

// TestCipherNonceIsRandom checks that sealing the same plaintext twice gives
// two different values that both open.
func TestCipherNonceIsRandom(t *testing.T) {
	c := mustCipher(t, testKey)
	a, b := c.Seal([]byte("same"), nil), c.Seal([]byte("same"), nil)
	if a == b {
		t.Fatal("two seals of the same plaintext are identical")
	}
	for _, s := range []string{a, b} {
		if got, err := c.Open(s, nil); err != nil || string(got) != "same" {
			t.Errorf("Open = %q, %v", got, err)
		}
	}
}

// TestCipherAdditionalData checks that the additional data is bound to the
// value: any other additional data fails.
func TestCipherAdditionalData(t *testing.T) {
	c := mustCipher(t, testKey)
	sealed := c.Seal([]byte("secret"), []byte("sessionid"))
	for _, ad := range [][]byte{nil, []byte(""), []byte("sessionid2"), []byte("Sessionid"), []byte("sessioni")} {
		if got, err := c.Open(sealed, ad); !errors.Is(err, signing.ErrDecrypt) {
			t.Errorf("Open with additional data %q = %q, %v; want ErrDecrypt", ad, got, err)
		}
	}
	if got, err := c.Open(sealed, []byte("sessionid")); err != nil || string(got) != "secret" {
		t.Errorf("Open with the right additional data = %q, %v", got, err)
	}
}

// TestCipherPurposeAndKey checks that values sealed for one purpose (salt)
// or with one key do not open for another.
func TestCipherPurposeAndKey(t *testing.T) {
	base := mustCipher(t, testKey)
	sealed := base.Seal([]byte("v"), nil)
	others := map[string]*signing.Cipher{
		"other salt":   mustCipher(t, testKey, signing.WithSalt("another purpose")),
		"other key":    mustCipher(t, testKey+"!"),
		"prefixed key": mustCipher(t, "django.http.cookies"+testKey),
	}
	for name, c := range others {
		if _, err := c.Open(sealed, nil); !errors.Is(err, signing.ErrDecrypt) {
			t.Errorf("%s: err = %v, want ErrDecrypt", name, err)
		}
		if _, err := base.Open(c.Seal([]byte("v"), nil), nil); !errors.Is(err, signing.ErrDecrypt) {
			t.Errorf("%s: the base cipher opened its value: %v", name, err)
		}
	}
	empty := mustCipher(t, testKey, signing.WithSalt(""))
	if got, err := empty.Open(sealed, nil); err != nil || string(got) != "v" {
		t.Errorf("an empty salt is not the default salt (as in Django): %q, %v", got, err)
	}
	explicit := mustCipher(t, testKey, signing.WithSalt(signing.DefaultCipherSalt))
	if got, err := explicit.Open(sealed, nil); err != nil || string(got) != "v" {
		t.Errorf("the default salt is not DefaultCipherSalt: %q, %v", got, err)
	}
}

// TestCipherFallbackKeys checks key rotation: values sealed with a fallback
// key open, and Seal always uses the current key.
func TestCipherFallbackKeys(t *testing.T) {
	old := mustCipher(t, "old")
	current := mustCipher(t, "current")
	rotated := mustCipher(t, "current", signing.WithFallbackKeys([]byte("older"), []byte("old")))
	for name, src := range map[string]*signing.Cipher{"old": old, "current": current} {
		if got, err := rotated.Open(src.Seal([]byte("v"), []byte("ad")), []byte("ad")); err != nil || string(got) != "v" {
			t.Errorf("value sealed with the %s key: %q, %v", name, got, err)
		}
	}
	fresh := rotated.Seal([]byte("v"), nil)
	if _, err := current.Open(fresh, nil); err != nil {
		t.Errorf("a value sealed by the rotated cipher does not open with the current key: %v", err)
	}
	if _, err := old.Open(fresh, nil); !errors.Is(err, signing.ErrDecrypt) {
		t.Errorf("a value sealed by the rotated cipher opens with the old key: %v", err)
	}
}

// TestCipherMalformed checks that truncated, padded, re-wrapped, empty and
// garbage input fails with ErrDecrypt.
func TestCipherMalformed(t *testing.T) {
	c := mustCipher(t, testKey)
	sealed := c.Seal([]byte("hello"), nil)
	inputs := map[string]string{
		"empty":          "",
		"garbage":        "!!!not base64!!!",
		"one char":       "A",
		"padded":         sealed + "=",
		"double padded":  sealed + "==",
		"trailing LF":    sealed + "\n",
		"inner LF":       sealed[:10] + "\n" + sealed[10:],
		"inner CRLF":     sealed[:10] + "\r\n" + sealed[10:],
		"std alphabet":   strings.NewReplacer("-", "+", "_", "/").Replace(sealed) + "+/",
		"leading space":  " " + sealed,
		"appended":       sealed + "AAAA",
		"doubled":        sealed + sealed,
		"only overhead":  base64.RawURLEncoding.EncodeToString(append([]byte{1}, make([]byte, signing.Overhead-1)...)),
		"overhead minus": base64.RawURLEncoding.EncodeToString(append([]byte{1}, make([]byte, signing.Overhead-2)...)),
	}
	for i := 0; i < len(sealed); i++ {
		inputs["prefix "+sealed[:i]] = sealed[:i]
	}
	for name, in := range inputs {
		if got, err := c.Open(in, nil); !errors.Is(err, signing.ErrDecrypt) {
			t.Errorf("%s: Open = %q, %v; want ErrDecrypt", name, got, err)
		}
	}
}

// TestCipherVersionByte checks that a value with another format version is
// refused with a message naming the version.
func TestCipherVersionByte(t *testing.T) {
	c := mustCipher(t, testKey)
	raw, err := base64.RawURLEncoding.DecodeString(c.Seal([]byte("hello"), nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []byte{0, 2, 0xff} {
		raw[0] = v
		_, err := c.Open(base64.RawURLEncoding.EncodeToString(raw), nil)
		if !errors.Is(err, signing.ErrDecrypt) || !strings.Contains(err.Error(), "version") {
			t.Errorf("version %d: err = %v, want ErrDecrypt naming the version", v, err)
		}
	}
}

// TestCipherEmptyKey checks that an empty secret is refused.
func TestCipherEmptyKey(t *testing.T) {
	if _, err := signing.NewCipher(nil); err == nil {
		t.Error("NewCipher(nil): want an error")
	}
}

// TestSealBytes: the binary form opens like the text form, says whether
// a fallback key was needed, and refuses tampering, truncation, other
// additional data and unknown keys.
func TestSealBytes(t *testing.T) {
	old, _ := signing.NewCipher([]byte("old secret"), signing.WithSalt("p"))
	cur, _ := signing.NewCipher([]byte("new secret"), signing.WithSalt("p"), signing.WithFallbackKeys([]byte("old secret")))
	other, _ := signing.NewCipher([]byte("another secret"), signing.WithSalt("p"))
	ad := []byte("key-hash")
	sealed := cur.SealBytes([]byte("marker"), ad)
	if pt, current, err := cur.OpenBytes(sealed, ad); err != nil || !current || string(pt) != "marker" {
		t.Fatalf("OpenBytes = %q, %v, %v", pt, current, err)
	}
	if bytes.Contains(sealed, []byte("marker")) {
		t.Error("the plaintext shows in the sealed bytes")
	}
	if pt, current, err := cur.OpenBytes(old.SealBytes([]byte("x"), ad), ad); err != nil || current || string(pt) != "x" {
		t.Errorf("fallback: %q, current=%v, %v", pt, current, err)
	}
	if got, err := cur.Open(base64.RawURLEncoding.EncodeToString(sealed), ad); err != nil || string(got) != "marker" {
		t.Errorf("Open of the base64 form: %q, %v", got, err)
	}
	bad := map[string][]byte{
		"truncated":  sealed[:len(sealed)-1],
		"short":      sealed[:signing.Overhead-1],
		"empty":      nil,
		"flipped":    append(append([]byte{}, sealed[:len(sealed)-2]...), sealed[len(sealed)-2]^1, sealed[len(sealed)-1]),
		"version":    append([]byte{9}, sealed[1:]...),
		"unknownKey": other.SealBytes([]byte("marker"), ad),
	}
	for name, b := range bad {
		if _, _, err := cur.OpenBytes(b, ad); !errors.Is(err, signing.ErrDecrypt) {
			t.Errorf("%s: err = %v, want signing.ErrDecrypt", name, err)
		}
	}
	if _, _, err := cur.OpenBytes(sealed, []byte("other-key-hash")); !errors.Is(err, signing.ErrDecrypt) {
		t.Errorf("other additional data: %v", err)
	}
}
