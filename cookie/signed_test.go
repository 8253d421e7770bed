package cookie

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/signing"
)

// The interop key and clock of /work/shared/reference/django-formats.md.
const (
	djangoKey = "interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
	djangoNow = 1700000000
	// response.set_signed_cookie("color", "blue", salt="color") at djangoNow.
	djangoColorBlue = "blue:1r31eq:McgY9FeuOH3U7F0sG2_Zlg4eDWaOZftZtkC_ThH5FPo"
)

func djangoClock() time.Time { return time.Unix(djangoNow, 0) }

// captureLogger returns a logger writing JSON lines, without the time, to
// the returned buffer.
func captureLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	h := slog.NewJSONHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})
	return slog.New(h), &buf
}

// logRecords decodes the JSON lines in buf.
func logRecords(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
	for {
		var m map[string]any
		if err := dec.Decode(&m); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatalf("log output %q: %v", buf.String(), err)
		}
		out = append(out, m)
	}
}

// signedValue sets name=value with s and returns the written cookie value.
func signedValue(t *testing.T, s *Signed, name, value string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := s.Set(rec, name, value); err != nil {
		t.Fatalf("Signed.Set(%q, %q): %v", name, value, err)
	}
	c, _ := onlySetCookie(t, rec)
	return c.Value
}

// TestSignedDjangoVector reproduces the set_signed_cookie example of
// django-formats.md §1.6 ("name color, salt color, value blue"). "salt
// color" there is Django's salt *argument*: the signing salt is name+salt,
// "colorcolor". With Salt "" (signing salt "color") the value differs.
func TestSignedDjangoVector(t *testing.T) {
	s := &Signed{Key: []byte(djangoKey), Salt: "color", Now: djangoClock}
	rec := httptest.NewRecorder()
	if err := s.Set(rec, "color", "blue"); err != nil {
		t.Fatal(err)
	}
	_, raw := onlySetCookie(t, rec)
	if want := "color=" + djangoColorBlue + "; Path=/; HttpOnly; SameSite=Lax"; raw != want {
		t.Errorf("Set-Cookie = %q,\nwant        %q", raw, want)
	}

	// Django's value reads back here.
	got, err := s.Get(requestWith("color="+djangoColorBlue), "color", 0)
	if err != nil || got != "blue" {
		t.Errorf("Get(Django's value) = %q, %v; want blue", got, err)
	}

	// The same vector computed with the signing package directly, from
	// the recipe in §1.6: key "django.http.cookies"+SECRET_KEY, salt
	// name+salt.
	ts, err := signing.NewTimestampSigner([]byte("django.http.cookies"+djangoKey),
		signing.WithSalt("color"+"color"), signing.WithClock(djangoClock))
	if err != nil {
		t.Fatal(err)
	}
	if v := ts.Sign("blue"); v != djangoColorBlue {
		t.Errorf("signing salt %q gives %q, want the vector", "colorcolor", v)
	}

	// The other reading (Salt "", signing salt "color") is not the vector.
	noSalt := &Signed{Key: []byte(djangoKey), Now: djangoClock}
	if v := signedValue(t, noSalt, "color", "blue"); v == djangoColorBlue {
		t.Errorf("Salt \"\" unexpectedly reproduces the vector")
	}
	if _, err := noSalt.Get(requestWith("color="+djangoColorBlue), "color", 0); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("Salt \"\" verified a value signed with salt \"color\": err = %v", err)
	}
}

func TestSignedRoundTrip(t *testing.T) {
	s := &Signed{Key: []byte("k1")}
	values := []string{"blue", "", "a:b:c", "x=y", "1r31eq", ":", "::", strings.Repeat("z", 2000), "!#$%&'()*+-./<=>?@[]^_`{|}~"}
	for _, value := range values {
		rec := httptest.NewRecorder()
		if err := s.Set(rec, "c", value); err != nil {
			t.Fatalf("Set(%q): %v", value, err)
		}
		c, _ := onlySetCookie(t, rec)
		if !strings.HasPrefix(c.Value, value+":") {
			t.Errorf("signed value %q does not start with the plain value %q", c.Value, value)
		}
		got, err := s.Get(forward(rec), "c", 0)
		if err != nil || got != value {
			t.Errorf("Get = %q, %v; want %q", got, err, value)
		}
		// Browsers may send it quoted.
		got, err = s.Get(requestWith(`c="`+c.Value+`"`), "c", 0)
		if err != nil || got != value {
			t.Errorf("Get(quoted) = %q, %v; want %q", got, err, value)
		}
	}
}

func TestSignedSetRefusesInvalidValue(t *testing.T) {
	s := &Signed{Key: []byte("k")}
	for _, value := range []string{"blue sky", `"q"`, "a;b", "a,b", `a\b`, "é", "\x00"} {
		rec := httptest.NewRecorder()
		if err := s.Set(rec, "c", value); !errors.Is(err, ErrInvalid) {
			t.Errorf("Set(%q) err = %v, want ErrInvalid", value, err)
		}
		if lines := setCookieLines(rec); len(lines) != 0 {
			t.Errorf("Set(%q) wrote %q", value, lines)
		}
	}
	rec := httptest.NewRecorder()
	if err := s.Set(rec, "c", strings.Repeat("v", MaxSize)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Set(4096-byte value) err = %v, want ErrTooLarge", err)
	}
	if lines := setCookieLines(rec); len(lines) != 0 {
		t.Errorf("refused Set wrote %q", lines)
	}
}

func TestSignedTampered(t *testing.T) {
	s := &Signed{Key: []byte(djangoKey), Salt: "color", Now: djangoClock}
	v := djangoColorBlue
	for i := range len(v) {
		b := []byte(v)
		b[i] ^= 0x01
		r := requestWith("color=" + string(b))
		if got, err := s.Get(r, "color", 0); !errors.Is(err, signing.ErrBadSignature) {
			t.Errorf("byte %d flipped (%q): Get = %q, %v; want ErrBadSignature", i, b, got, err)
		}
	}

	mangled := []string{
		"",
		"blue",
		"blue:1r31eq",
		"blue:1r31eq:",
		":1r31eq:McgY9FeuOH3U7F0sG2_Zlg4eDWaOZftZtkC_ThH5FPo",
		"red:1r31eq:McgY9FeuOH3U7F0sG2_Zlg4eDWaOZftZtkC_ThH5FPo",
		"blue:1r31er:McgY9FeuOH3U7F0sG2_Zlg4eDWaOZftZtkC_ThH5FPo",
		"blue:1r31eq:McgY9FeuOH3U7F0sG2_Zlg4eDWaOZftZtkC_ThH5FP",
		"blue:1r31eq:McgY9FeuOH3U7F0sG2_Zlg4eDWaOZftZtkC_ThH5FPoo",
		"blue:1r31eq:McgY9FeuOH3U7F0sG2_Zlg4eDWaOZftZtkC_ThH5FPo=",
		"blue:McgY9FeuOH3U7F0sG2_Zlg4eDWaOZftZtkC_ThH5FPo",
		"blue:1r31eq:1r31eq:McgY9FeuOH3U7F0sG2_Zlg4eDWaOZftZtkC_ThH5FPo",
		"blue::McgY9FeuOH3U7F0sG2_Zlg4eDWaOZftZtkC_ThH5FPo",
		"blue:1r31eq:E3pwXf1lzOS1glIZatKBPhnVruOuiXzSd9rxr7CLxXw", // signed with salt "color"
	}
	for _, m := range mangled {
		if got, err := s.Get(requestWith("color="+m), "color", 0); !errors.Is(err, signing.ErrBadSignature) {
			t.Errorf("Get(%q) = %q, %v; want ErrBadSignature", m, got, err)
		}
	}
}

func TestSignedWrongKey(t *testing.T) {
	a := &Signed{Key: []byte("key-a")}
	b := &Signed{Key: []byte("key-b")}
	v := signedValue(t, a, "c", "hello")
	if got, err := b.Get(requestWith("c="+v), "c", 0); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("Get with another key = %q, %v; want ErrBadSignature", got, err)
	}
	// The "django.http.cookies" prefix keeps a plain TimestampSigner value
	// signed with the bare key (and the cookie's salt) from verifying.
	ts, err := signing.NewTimestampSigner([]byte("key-a"), signing.WithSalt("c"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := a.Get(requestWith("c="+ts.Sign("hello")), "c", 0); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("value signed without the cookie key prefix verified: %q, %v", got, err)
	}
}

func TestSignedFallbackKeys(t *testing.T) {
	old := &Signed{Key: []byte("old-secret")}
	rotated := &Signed{Key: []byte("new-secret"), FallbackKeys: [][]byte{[]byte("older-secret"), []byte("old-secret")}}
	fresh := &Signed{Key: []byte("new-secret")}

	v := signedValue(t, old, "c", "hello")
	if got, err := rotated.Get(requestWith("c="+v), "c", 0); err != nil || got != "hello" {
		t.Errorf("fallback key: Get = %q, %v; want hello", got, err)
	}
	if _, err := fresh.Get(requestWith("c="+v), "c", 0); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("without the fallback: err = %v, want ErrBadSignature", err)
	}

	// New values are signed with the current key only.
	nv := signedValue(t, rotated, "c", "hello")
	if _, err := old.Get(requestWith("c="+nv), "c", 0); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("a rotated signer signed with a fallback key: err = %v", err)
	}
	if got, err := fresh.Get(requestWith("c="+nv), "c", 0); err != nil || got != "hello" {
		t.Errorf("current key: Get = %q, %v; want hello", got, err)
	}
}

func TestSignedSaltSeparation(t *testing.T) {
	key := []byte("k")
	a := &Signed{Key: key, Salt: "a"}
	b := &Signed{Key: key, Salt: "b"}
	none := &Signed{Key: key}
	v := signedValue(t, a, "c", "hello")
	for _, s := range []*Signed{b, none} {
		if _, err := s.Get(requestWith("c="+v), "c", 0); !errors.Is(err, signing.ErrBadSignature) {
			t.Errorf("Salt %q verified a value signed with Salt %q: err = %v", s.Salt, a.Salt, err)
		}
	}
	if got, err := a.Get(requestWith("c="+v), "c", 0); err != nil || got != "hello" {
		t.Errorf("same salt: %q, %v", got, err)
	}
}

func TestSignedNameSeparation(t *testing.T) {
	s := &Signed{Key: []byte("k")}
	v := signedValue(t, s, "a", "hello")
	if got, err := s.Get(requestWith("b="+v), "b", 0); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("a value signed for cookie a verified as cookie b: %q, %v", got, err)
	}
	if got, err := s.Get(requestWith("b="+v, "a="+v), "a", 0); err != nil || got != "hello" {
		t.Errorf("cookie a: %q, %v", got, err)
	}
}

func TestSignedMaxAge(t *testing.T) {
	clock := newFakeClock(djangoNow)
	s := &Signed{Key: []byte("k"), Now: clock.Now}
	v := signedValue(t, s, "c", "hello")
	r := requestWith("c=" + v)

	clock.Advance(10 * time.Second)
	if got, err := s.Get(r, "c", 10*time.Second); err != nil || got != "hello" {
		t.Errorf("age == maxAge: Get = %q, %v; want hello (only older is expired)", got, err)
	}

	clock.Advance(time.Nanosecond)
	got, err := s.Get(r, "c", 10*time.Second)
	if !errors.Is(err, signing.ErrExpired) {
		t.Fatalf("age > maxAge: Get = %q, %v; want ErrExpired", got, err)
	}
	if errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("an expired value reports ErrBadSignature too: %v", err)
	}
	var ee *signing.ExpiredError
	if !errors.As(err, &ee) || ee.MaxAge != 10*time.Second || ee.Age != 10*time.Second+time.Nanosecond {
		t.Errorf("ExpiredError = %+v, want Age 10.000000001s, MaxAge 10s", ee)
	}

	// No limit, and a zero or negative limit, accept any age.
	clock.Advance(100 * 365 * 24 * time.Hour)
	for _, maxAge := range []time.Duration{0, -time.Second} {
		if got, err := s.Get(r, "c", maxAge); err != nil || got != "hello" {
			t.Errorf("maxAge %v: Get = %q, %v; want hello", maxAge, got, err)
		}
	}

	// A tampered value is a bad signature even when it would be expired:
	// the signature is checked first.
	if _, err := s.Get(requestWith("c=x"+v), "c", time.Second); !errors.Is(err, signing.ErrBadSignature) || errors.Is(err, signing.ErrExpired) {
		t.Errorf("tampered and old: err = %v, want ErrBadSignature only", err)
	}
}

func TestSignedMissing(t *testing.T) {
	s := &Signed{Key: []byte("k")}
	for _, r := range []*http.Request{requestWith(), requestWith("other=1; cc=2; c2=3")} {
		if got, err := s.Get(r, "c", 0); err != http.ErrNoCookie || got != "" {
			t.Errorf("Get = %q, %v; want \"\", http.ErrNoCookie", got, err)
		}
	}
}

func TestSignedGetDefault(t *testing.T) {
	clock := newFakeClock(djangoNow)
	key := []byte("k")
	signer := &Signed{Key: key, Now: clock.Now}
	good := signedValue(t, signer, "c", "hello")
	otherKey := signedValue(t, &Signed{Key: []byte("other"), Now: clock.Now}, "c", "hello")
	clock.Advance(time.Hour)

	cases := []struct {
		desc     string
		s        *Signed
		r        *http.Request
		maxAge   time.Duration
		want     string
		wantLog  bool
		errMatch string // substring of the logged error
	}{
		{"valid", &Signed{Key: key, Now: clock.Now}, requestWith("c=" + good), 0, "hello", false, ""},
		{"missing", &Signed{Key: key, Now: clock.Now}, requestWith("d=1"), 0, "def", false, ""},
		{"tampered", &Signed{Key: key, Now: clock.Now}, requestWith("c=j" + good[1:]), 0, "def", true, "bad signature"},
		{"other key", &Signed{Key: key, Now: clock.Now}, requestWith("c=" + otherKey), 0, "def", true, "bad signature"},
		{"expired", &Signed{Key: key, Now: clock.Now}, requestWith("c=" + good), time.Minute, "def", true, "signature age"},
		{"empty key", &Signed{Now: clock.Now}, requestWith("c=" + good), 0, "def", true, "Key is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			logger, buf := captureLogger()
			tc.s.Logger = logger
			if got := tc.s.GetDefault(tc.r, "c", tc.maxAge, "def"); got != tc.want {
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

func TestSignedEmptyKey(t *testing.T) {
	for _, key := range [][]byte{nil, {}} {
		s := &Signed{Key: key}
		rec := httptest.NewRecorder()
		if err := s.Set(rec, "c", "v"); err == nil {
			t.Error("Set with an empty key succeeded")
		}
		if lines := setCookieLines(rec); len(lines) != 0 {
			t.Errorf("Set with an empty key wrote %q", lines)
		}
		if _, err := s.Get(requestWith("c=v:1r31eq:McgY9FeuOH3U7F0sG2_Zlg4eDWaOZftZtkC_ThH5FPo"), "c", 0); err == nil {
			t.Error("Get with an empty key succeeded")
		}
		logger, buf := captureLogger()
		s.Logger = logger
		if got := s.GetDefault(requestWith("c=v"), "c", 0, "def"); got != "def" {
			t.Errorf("GetDefault with an empty key = %q, want def", got)
		}
		if len(logRecords(t, buf)) != 1 {
			t.Errorf("GetDefault with an empty key logged %q, want one warning", buf.String())
		}
	}
}

func TestSignedOptionsAndDelete(t *testing.T) {
	s := &Signed{Key: []byte("k"), Options: Options{Path: "/app", Domain: "example.com", Secure: true, SameSite: http.SameSiteStrictMode}}
	rec := httptest.NewRecorder()
	if err := s.Set(rec, "c", "v"); err != nil {
		t.Fatal(err)
	}
	c, _ := onlySetCookie(t, rec)
	if c.Path != "/app" || c.Domain != "example.com" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
		t.Errorf("Set ignored Options: %+v", c)
	}

	rec = httptest.NewRecorder()
	s.Delete(rec, "c")
	d, raw := onlySetCookie(t, rec)
	if d.Name != "c" || d.Value != "" || d.MaxAge != -1 || d.Path != "/app" || d.Domain != "example.com" || d.SameSite != http.SameSiteStrictMode {
		t.Errorf("Delete = %q", raw)
	}
}

// TestSignedThroughClient round-trips a signed cookie through a real
// client and cookie jar, then plants a tampered one.
func TestSignedThroughClient(t *testing.T) {
	s := &Signed{Key: []byte(djangoKey), Logger: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		if err := s.Set(w, "color", r.URL.Query().Get("v")); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		v, err := s.Get(r, "color", time.Hour)
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		io.WriteString(w, v)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := srv.Client()
	client.Jar = jar

	get := func(path string) (int, string) {
		t.Helper()
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(body)
	}

	if code, body := get("/set?v=blue"); code != http.StatusOK {
		t.Fatalf("/set: %d %s", code, body)
	}
	if code, body := get("/get"); code != http.StatusOK || body != "blue" {
		t.Fatalf("/get = %d %q, want 200 blue", code, body)
	}

	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	cs := jar.Cookies(u)
	if len(cs) != 1 {
		t.Fatalf("jar holds %v", cs)
	}
	jar.SetCookies(u, []*http.Cookie{{Name: "color", Value: "red" + strings.TrimPrefix(cs[0].Value, "blue"), Path: "/"}})
	if code, body := get("/get"); code != http.StatusForbidden || !strings.Contains(body, "bad signature") {
		t.Errorf("tampered /get = %d %q, want 403 bad signature", code, body)
	}
}
