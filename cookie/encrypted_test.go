package cookie

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/signing"
)

const b64URLAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// sealedValue sets name=value with e and returns the written cookie value.
func sealedValue(t *testing.T, e *Encrypted, name, value string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := e.Set(rec, name, value); err != nil {
		t.Fatalf("Encrypted.Set(%q): %v", name, err)
	}
	c, _ := onlySetCookie(t, rec)
	return c.Value
}

func allBytes() string {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return string(b)
}

func TestEncryptedRoundTrip(t *testing.T) {
	e := &Encrypted{Key: []byte("k")}
	values := []string{
		"",
		"hello",
		"a;b; c=d",
		`"quoted", with comma`,
		`back\slash`,
		"nul\x00byte",
		"ünïcödé ✓ 日本",
		"\xff\xfe not utf-8",
		"12345:colon:separated:",
		":",
		"\r\n\t ",
		allBytes(),
		strings.Repeat("x", 1000),
	}
	for _, value := range values {
		rec := httptest.NewRecorder()
		if err := e.Set(rec, "c", value); err != nil {
			t.Fatalf("Set(%q): %v", value, err)
		}
		c, raw := onlySetCookie(t, rec)
		for i := range len(c.Value) {
			if strings.IndexByte(b64URLAlphabet, c.Value[i]) < 0 {
				t.Fatalf("sealed value %q has %q outside unpadded URL-safe base64", c.Value, c.Value[i])
			}
		}
		if !strings.HasPrefix(raw, "c="+c.Value+"; Path=/; HttpOnly; SameSite=Lax") {
			t.Errorf("Set-Cookie = %q", raw)
		}
		got, err := e.Get(forward(rec), "c", 0)
		if err != nil || got != value {
			t.Errorf("Get = %q, %v; want %q", got, err, value)
		}
	}
}

func TestEncryptedHidesPlaintext(t *testing.T) {
	e := &Encrypted{Key: []byte("k")}
	const secret = "top-secret-plaintext"
	v1 := sealedValue(t, e, "c", secret)
	v2 := sealedValue(t, e, "c", secret)
	for _, v := range []string{v1, v2} {
		if strings.Contains(v, secret) || strings.Contains(v, "secret") {
			t.Errorf("sealed value %q shows the plaintext", v)
		}
		for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding} {
			if strings.Contains(v, strings.TrimRight(enc.EncodeToString([]byte(secret)), "=")) {
				t.Errorf("sealed value %q contains the plaintext in base64", v)
			}
		}
	}
	if v1 == v2 {
		t.Errorf("two seals of the same value are identical (%q): nonce reused?", v1)
	}
}

// TestEncryptedTampered replaces each character of a sealed value with
// every other base64 character and a few invalid ones, truncates and
// extends it: nothing opens. That includes substitutions of the last
// character that change only the bits base64 discards (see also
// TestEncryptedNonCanonicalBase64).
func TestEncryptedTampered(t *testing.T) {
	e := &Encrypted{Key: []byte("k"), Now: djangoClock}
	for _, plain := range []string{"abc", "abcd", "abcde"} { // the three base64 tail lengths
		v := sealedValue(t, e, "c", plain)
		check := func(desc, tampered string) {
			t.Helper()
			got, err := e.Get(requestWith("c="+tampered), "c", 0)
			if !errors.Is(err, signing.ErrDecrypt) {
				t.Errorf("%s: Get(%q) = %q, %v; want ErrDecrypt", desc, tampered, got, err)
			}
		}
		for i := range len(v) {
			for _, r := range b64URLAlphabet + "=+/.!~*$" {
				if byte(r) == v[i] {
					continue
				}
				check("substitution", v[:i]+string(r)+v[i+1:])
			}
		}
		for n := range len(v) {
			check("truncated", v[:n])
		}
		check("extended", v+"A")
		check("extended by 2", v+"AA")
		check("prefixed", "A"+v)
		check("doubled", v+v)
		check("padded", v+"=")
		check("padded twice", v+"==")
		check("line break inside", v[:20]+"\r\n"+v[20:])
		check("newline inside", v[:20]+"\n"+v[20:])
	}
}

// TestEncryptedNonCanonicalBase64 checks that a sealed value whose last
// base64 character differs only in the bits base64 discards, so that it
// decodes to the very same bytes, is refused: each sealed value has one
// accepted spelling.
func TestEncryptedNonCanonicalBase64(t *testing.T) {
	e := &Encrypted{Key: []byte("k"), Now: djangoClock}
	for _, plain := range []string{"abcd", "abcde"} { // 4 and 2 unused bits
		v := sealedValue(t, e, "c", plain)
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw)%3 == 0 {
			t.Fatalf("sealed length %d leaves no unused bits; pick another plaintext length", len(raw))
		}
		last := strings.IndexByte(b64URLAlphabet, v[len(v)-1])
		alt := v[:len(v)-1] + string(b64URLAlphabet[last|1])
		if d, err := base64.RawURLEncoding.DecodeString(alt); err != nil || !bytes.Equal(d, raw) {
			t.Fatalf("%q is not a non-canonical spelling of %q", alt, v)
		}
		if got, err := e.Get(requestWith("c="+alt), "c", 0); !errors.Is(err, signing.ErrDecrypt) {
			t.Errorf("non-canonical %q of %q: Get = %q, %v; want ErrDecrypt", alt, v, got, err)
		}
	}
}

func TestEncryptedNameBinding(t *testing.T) {
	e := &Encrypted{Key: []byte("k")}
	v := sealedValue(t, e, "a", "hello")
	for _, name := range []string{"b", "A", "a2", "sessionid"} {
		if got, err := e.Get(requestWith(name+"="+v), name, 0); !errors.Is(err, signing.ErrDecrypt) {
			t.Errorf("a value sealed for cookie a opened as cookie %s: %q, %v", name, got, err)
		}
	}
	if got, err := e.Get(requestWith("a="+v), "a", 0); err != nil || got != "hello" {
		t.Errorf("cookie a: %q, %v", got, err)
	}
}

func TestEncryptedWrongKeyOrPurpose(t *testing.T) {
	key := []byte("k")
	e := &Encrypted{Key: key}
	v := sealedValue(t, &Encrypted{Key: []byte("other")}, "c", "hello")
	if got, err := e.Get(requestWith("c="+v), "c", 0); !errors.Is(err, signing.ErrDecrypt) {
		t.Errorf("another key: %q, %v; want ErrDecrypt", got, err)
	}

	// A Cipher with the same key but its default purpose seals values that
	// do not open as Encrypted cookies, even with a well-formed plaintext.
	other, err := signing.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.Get(requestWith("c="+other.Seal([]byte("0:hello"), []byte("c"))), "c", 0); !errors.Is(err, signing.ErrDecrypt) {
		t.Errorf("another purpose: %q, %v; want ErrDecrypt", got, err)
	}

	// Authentic values without a valid timestamp (only Encrypted's own key
	// can make them) are refused as ErrDecrypt.
	own, err := signing.NewCipher(key, signing.WithSalt(encryptedPurpose))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.Get(requestWith("c="+own.Seal([]byte("0:hello"), []byte("c"))), "c", 0); err != nil || got != "hello" {
		t.Fatalf("hand-sealed well-formed value: %q, %v", got, err)
	}
	for _, plain := range []string{"", "hello", "!!:hello", ":hello", "zzzzzzzzzzzzzzzzzzzzzz:hello"} {
		if got, err := e.Get(requestWith("c="+own.Seal([]byte(plain), []byte("c"))), "c", 0); !errors.Is(err, signing.ErrDecrypt) {
			t.Errorf("plaintext %q: Get = %q, %v; want ErrDecrypt", plain, got, err)
		}
	}
}

func TestEncryptedFallbackKeys(t *testing.T) {
	old := &Encrypted{Key: []byte("old-secret")}
	rotated := &Encrypted{Key: []byte("new-secret"), FallbackKeys: [][]byte{[]byte("older-secret"), []byte("old-secret")}}
	fresh := &Encrypted{Key: []byte("new-secret")}

	v := sealedValue(t, old, "c", "hello")
	if got, err := rotated.Get(requestWith("c="+v), "c", 0); err != nil || got != "hello" {
		t.Errorf("fallback key: Get = %q, %v; want hello", got, err)
	}
	if _, err := fresh.Get(requestWith("c="+v), "c", 0); !errors.Is(err, signing.ErrDecrypt) {
		t.Errorf("without the fallback: err = %v, want ErrDecrypt", err)
	}

	nv := sealedValue(t, rotated, "c", "hello")
	if _, err := old.Get(requestWith("c="+nv), "c", 0); !errors.Is(err, signing.ErrDecrypt) {
		t.Errorf("a rotated Encrypted sealed with a fallback key: err = %v", err)
	}
	if got, err := fresh.Get(requestWith("c="+nv), "c", 0); err != nil || got != "hello" {
		t.Errorf("current key: Get = %q, %v; want hello", got, err)
	}
}

func TestEncryptedMaxAge(t *testing.T) {
	clock := newFakeClock(djangoNow)
	e := &Encrypted{Key: []byte("k"), Now: clock.Now}
	r := requestWith("c=" + sealedValue(t, e, "c", "hello"))

	clock.Advance(10 * time.Second)
	if got, err := e.Get(r, "c", 10*time.Second); err != nil || got != "hello" {
		t.Errorf("age == maxAge: Get = %q, %v; want hello", got, err)
	}

	clock.Advance(time.Nanosecond)
	got, err := e.Get(r, "c", 10*time.Second)
	if !errors.Is(err, signing.ErrExpired) {
		t.Fatalf("age > maxAge: Get = %q, %v; want ErrExpired", got, err)
	}
	if errors.Is(err, signing.ErrDecrypt) {
		t.Errorf("an expired value reports ErrDecrypt too: %v", err)
	}
	var ee *signing.ExpiredError
	if !errors.As(err, &ee) || ee.MaxAge != 10*time.Second || ee.Age != 10*time.Second+time.Nanosecond {
		t.Errorf("ExpiredError = %+v", ee)
	}

	clock.Advance(100 * 365 * 24 * time.Hour)
	for _, maxAge := range []time.Duration{0, -time.Second} {
		if got, err := e.Get(r, "c", maxAge); err != nil || got != "hello" {
			t.Errorf("maxAge %v: Get = %q, %v; want hello", maxAge, got, err)
		}
	}
}

func TestEncryptedMissing(t *testing.T) {
	e := &Encrypted{Key: []byte("k")}
	for _, r := range []*http.Request{requestWith(), requestWith("other=1; cc=2; c2=3")} {
		if got, err := e.Get(r, "c", 0); err != http.ErrNoCookie || got != "" {
			t.Errorf("Get = %q, %v; want \"\", http.ErrNoCookie", got, err)
		}
	}
}

func TestEncryptedGetDefault(t *testing.T) {
	clock := newFakeClock(djangoNow)
	key := []byte("k")
	good := sealedValue(t, &Encrypted{Key: key, Now: clock.Now}, "c", "hello")
	otherKey := sealedValue(t, &Encrypted{Key: []byte("other"), Now: clock.Now}, "c", "hello")
	tampered := good[:10] + string(b64URLAlphabet[(strings.IndexByte(b64URLAlphabet, good[10])+1)%64]) + good[11:]
	clock.Advance(time.Hour)

	cases := []struct {
		desc     string
		e        *Encrypted
		r        *http.Request
		maxAge   time.Duration
		want     string
		wantLog  bool
		errMatch string
	}{
		{"valid", &Encrypted{Key: key, Now: clock.Now}, requestWith("c=" + good), 0, "hello", false, ""},
		{"missing", &Encrypted{Key: key, Now: clock.Now}, requestWith("d=1"), 0, "def", false, ""},
		{"tampered", &Encrypted{Key: key, Now: clock.Now}, requestWith("c=" + tampered), 0, "def", true, "cannot decrypt"},
		{"other key", &Encrypted{Key: key, Now: clock.Now}, requestWith("c=" + otherKey), 0, "def", true, "cannot decrypt"},
		{"not base64", &Encrypted{Key: key, Now: clock.Now}, requestWith("c=!!!"), 0, "def", true, "cannot decrypt"},
		{"expired", &Encrypted{Key: key, Now: clock.Now}, requestWith("c=" + good), time.Minute, "def", true, "signature age"},
		{"empty key", &Encrypted{Now: clock.Now}, requestWith("c=" + good), 0, "def", true, "key is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			logger, buf := captureLogger()
			tc.e.Logger = logger
			if got := tc.e.GetDefault(tc.r, "c", tc.maxAge, "def"); got != tc.want {
				t.Errorf("GetDefault = %q, want %q", got, tc.want)
			}
			recs := logRecords(t, buf)
			if !tc.wantLog {
				if len(recs) != 0 {
					t.Errorf("logged %v, want nothing", recs)
				}
				return
			}
			if len(recs) != 1 {
				t.Fatalf("logged %d records %q, want 1", len(recs), buf.String())
			}
			rec := recs[0]
			if rec["level"] != "WARN" || rec["msg"] != "cookie: rejected" || rec["cookie"] != "c" || rec["path"] != `"/page"` { // request values are quoted (logval.Quote)
				t.Errorf("log record = %v", rec)
			}
			if e, _ := rec["error"].(string); !strings.Contains(e, tc.errMatch) {
				t.Errorf("logged error %q does not mention %q", e, tc.errMatch)
			}
		})
	}
}

func TestEncryptedEmptyKey(t *testing.T) {
	for _, key := range [][]byte{nil, {}} {
		e := &Encrypted{Key: key}
		rec := httptest.NewRecorder()
		if err := e.Set(rec, "c", "v"); err == nil {
			t.Error("Set with an empty key succeeded")
		}
		if lines := setCookieLines(rec); len(lines) != 0 {
			t.Errorf("Set with an empty key wrote %q", lines)
		}
		if _, err := e.Get(requestWith("c=AAAA"), "c", 0); err == nil {
			t.Error("Get with an empty key succeeded")
		}
		// The error is sticky, not a panic on a nil cipher.
		if err := e.Set(httptest.NewRecorder(), "c", "v"); err == nil {
			t.Error("second Set with an empty key succeeded")
		}
	}
}

func TestEncryptedTooLarge(t *testing.T) {
	e := &Encrypted{Key: []byte("k")}
	if err := e.Set(httptest.NewRecorder(), "c", strings.Repeat("x", 2900)); err != nil {
		t.Errorf("Set(2900 bytes): %v", err)
	}
	rec := httptest.NewRecorder()
	if err := e.Set(rec, "c", strings.Repeat("x", 3100)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Set(3100 bytes) err = %v, want ErrTooLarge", err)
	}
	if lines := setCookieLines(rec); len(lines) != 0 {
		t.Errorf("refused Set wrote %q", lines)
	}
}

func TestEncryptedOptionsAndDelete(t *testing.T) {
	e := &Encrypted{Key: []byte("k"), Options: Options{Path: "/app", MaxAge: time.Hour, SameSite: http.SameSiteNoneMode}}
	rec := httptest.NewRecorder()
	if err := e.Set(rec, "c", "v"); err != nil {
		t.Fatal(err)
	}
	c, raw := onlySetCookie(t, rec)
	if c.Path != "/app" || c.MaxAge != 3600 || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteNoneMode {
		t.Errorf("Set ignored Options: %q", raw)
	}

	rec = httptest.NewRecorder()
	e.Delete(rec, "c")
	d, raw := onlySetCookie(t, rec)
	if d.Name != "c" || d.Value != "" || d.MaxAge != -1 || d.Path != "/app" || !d.Secure || d.SameSite != http.SameSiteNoneMode {
		t.Errorf("Delete = %q", raw)
	}
}
