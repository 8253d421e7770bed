package djangointerop

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/cookie"
	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/signing"
	"github.com/tetherweb/tether/store/cookiestore"
	"github.com/tetherweb/tether/store/memstore"
)

// Only Django 3.2 runs here. Where Django 4.x and 5.x write differently
// (the reference's §8), these tests check tether against the reference's
// vectors, or against values 3.2 writes in the same format, and name the
// option that picks each behaviour.

// The keys of the rotation check: the current SECRET_KEY and the old one
// in SECRET_KEY_FALLBACKS.
const (
	rotatedKey = "the-new-secret-key-after-rotation-0123456789-abcdefghijklmnop"
	retiredKey = "the-old-secret-key-before-rotation-0123456789-abcdefghijklmno"
)

// rotationValues are the members of rotation_vectors.py's documents.
type rotationValues struct {
	SessionData   string `json:"session_data"`
	SignedCookies string `json:"signed_cookies"`
	Messages      string `json:"messages"`
	Color         string `json:"color"`
}

// goRotation reads and writes the four signed formats with key and the
// fallback keys (Django 4.1+'s SECRET_KEY_FALLBACKS): a db session's
// session_data (session.NewDjangoCodec with signing.WithFallbackKeys), a
// signed_cookies session (cookiestore.WithFallbackKeys), a messages
// cookie (messages.NewCookieStorage's fallback keys) and a signed cookie
// (cookie.Signed.FallbackKeys).
type goRotation struct {
	t        *testing.T
	codec    *session.DjangoCodec
	cookies  *cookiestore.Store
	signed   *cookie.Signed
	messages func() *goSite
}

func newGoRotation(t *testing.T, key string, fallbacks ...string) *goRotation {
	var fb [][]byte
	for _, f := range fallbacks {
		fb = append(fb, []byte(f))
	}
	codec, err := session.NewDjangoCodec([]byte(key), signing.WithFallbackKeys(fb...))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := cookiestore.NewSigned([]byte(key), cookiestore.WithFallbackKeys(fb...))
	if err != nil {
		t.Fatal(err)
	}
	return &goRotation{
		t: t, codec: codec, cookies: cs,
		signed:   &cookie.Signed{Key: []byte(key), FallbackKeys: fb},
		messages: func() *goSite { return newGoSite(t, messages.NewCookieStorage([]byte(key), fb...)) },
	}
}

// read returns what each value holds for Go, "" when it is refused.
func (g *goRotation) read(v rotationValues) rotationValues {
	var out rotationValues
	if vals, err := g.codec.Decode([]byte(v.SessionData)); err == nil {
		out.SessionData = string(vals["name"])
	}
	if rec, err := g.cookies.OpenCookie(v.SignedCookies); err == nil {
		out.SignedCookies = string(rec.Data)
	}
	site := g.messages()
	site.cookies["messages"] = v.Messages
	site.request(func(w http.ResponseWriter, r *http.Request) {
		for _, m := range messages.Get(r) {
			out.Messages = m.Text()
		}
	})
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "color", Value: v.Color})
	out.Color, _ = g.signed.Get(req, "color", 0)
	return out
}

// write signs the four values as Go writes them.
func (g *goRotation) write() rotationValues {
	t := g.t
	var out rotationValues
	data, err := g.codec.Encode(map[string][]byte{"cart": []byte("[1,2]"), "name": []byte(`"Zo\u00eb"`)})
	if err != nil {
		t.Fatal(err)
	}
	out.SessionData = string(data)
	if out.SignedCookies, err = g.cookies.SealCookie(session.Record{Data: []byte(`{"cart":[1,2]}`)}); err != nil {
		t.Fatal(err)
	}
	site := g.messages()
	site.request(func(w http.ResponseWriter, r *http.Request) { messages.Success(r, "Saved, Zoë.") })
	out.Messages = site.cookies["messages"]
	rec := httptest.NewRecorder()
	if err := g.signed.Set(rec, "color", "blue"); err != nil {
		t.Fatal(err)
	}
	for _, c := range rec.Result().Cookies() {
		out.Color = c.Value
	}
	return out
}

// djangoRotation runs rotation_vectors.py verify with SECRET_KEY = key.
func djangoRotation(t *testing.T, key string, v rotationValues) map[string]any {
	t.Helper()
	in, _ := json.Marshal(v)
	var out map[string]any
	if err := json.Unmarshal(runPython(t, "rotation_vectors.py", in, "verify", key), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// SECRET_KEY_FALLBACKS (Django 4.1+): values signed with a retired key
// verify when it is a fallback and not otherwise, and tether signs with the
// current key only, in all four signed formats. Options:
// signing.WithFallbackKeys (session.NewDjangoCodec),
// cookiestore.WithFallbackKeys, messages.NewCookieStorage(key, fallbacks...)
// and cookie.Signed.FallbackKeys.
func TestSecretKeyFallbacks(t *testing.T) {
	var old rotationValues
	if err := json.Unmarshal(runPython(t, "rotation_vectors.py", nil, "sign", retiredKey), &old); err != nil {
		t.Fatal(err)
	}
	want := rotationValues{SessionData: `"Zo\u00eb"`, SignedCookies: `{"cart":[1,2]}`, Messages: "Saved, Zoë.", Color: "blue"}
	if got := newGoRotation(t, rotatedKey, retiredKey).read(old); got != want {
		t.Errorf("with the old key as a fallback Go reads\n %+v\nwant\n %+v", got, want)
	}
	if got := newGoRotation(t, rotatedKey).read(old); got != (rotationValues{}) {
		t.Errorf("without the fallback Go still reads %+v", got)
	}

	written := newGoRotation(t, rotatedKey, retiredKey).write()
	current := djangoRotation(t, rotatedKey, written)
	for _, k := range []string{"session_data", "signed_cookies", "messages", "color"} {
		if current[k] == nil {
			t.Errorf("Django with the current key refuses Go's %s", k)
		}
		if v := djangoRotation(t, retiredKey, written)[k]; v != nil {
			t.Errorf("Django with the retired key reads Go's %s as %v: Go signed with a fallback", k, v)
		}
	}
	if got := current["messages"]; got == nil || got.([]any)[0].([]any)[1] != "Saved, Zoë." {
		t.Errorf("Django reads Go's messages as %v", got)
	}
}

// Django 4.1+ writes the CSRF cookie as the bare 32-character secret (5.0
// always; CSRF_COOKIE_MASKED=True keeps 4.0's masked cookie in 4.1–4.2).
// tether writes that form by default (csrf.Options.MaskCookie false) and
// reads both: the reference's vectors (Django's own test vector of §4.2),
// a 4.1+ cookie with two masked tokens of it, verify; a changed token does
// not.
func TestCSRFCookieOfNewerDjango(t *testing.T) {
	const secret = "lcccccccX2kcccccccY2jcccccccssIC" // what both tokens unmask to
	tokens := []string{
		"1bcdefghij2bcdefghij3bcdefghij4bcdefghij5bcdefghij6bcdefghijABCD",
		"2JgchWvM1tpxT2lfz9aydoXW9yT1DN3NdLiejYxOOlzzV4nhBbYqmqZYbAV3V5Bf",
	}
	g := quietGuard(t, csrf.Options{})
	post := func(cookieValue, token string) error {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.Header.Set("X-CSRFToken", token)
		r.AddCookie(&http.Cookie{Name: "csrftoken", Value: cookieValue})
		return g.Check(r)
	}
	for _, cookieValue := range []string{secret, tokens[0], tokens[1]} {
		for _, tok := range append([]string{secret}, tokens...) {
			if err := post(cookieValue, tok); err != nil {
				t.Errorf("cookie %q, token %q: %v", cookieValue, tok, err)
			}
		}
	}
	bad := strings.Replace(tokens[0], "ABCD", "ABCE", 1)
	if err := post(secret, bad); !errors.Is(err, csrf.ErrBadToken) {
		t.Errorf("changed token: %v, want ErrBadToken", err)
	}
	if ck, _ := goCSRF(t, g); len(ck) != csrf.SecretLength {
		t.Errorf("default cookie %q: want the %d-character secret Django 4.1+ writes", ck, csrf.SecretLength)
	}
}

// Newer Django (seen in 5.1-era source) stores a datetime given to
// set_expiry as ISO 8601 text in _session_expiry; 3.2–4.x store only
// integers. tether reads both, and SetExpiryAt writes that text (so only
// such a Django reads it: Django 3.2 takes the text for a number of
// seconds and fails on save; use SetExpiry, the integer form, with 3.2).
// The reference's vector: at 1700000000, one day later is
// "2023-11-15T22:13:20+00:00"; it is read in that form, with another
// offset, with a fraction and naive (UTC), as a store holds it now.
func TestISOExpiryOfNewerDjango(t *testing.T) {
	codec, err := session.NewDjangoCodec([]byte(djangoKey))
	if err != nil {
		t.Fatal(err)
	}
	store := memstore.New()
	t.Cleanup(func() { store.Close() })

	ref := time.Unix(1700000000, 0)
	var stored string
	refMgr := &session.Manager{Store: store, Codec: codec, Now: func() time.Time { return ref }}
	serveWith(refMgr, func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		s.SetExpiryAt(ref.Add(24 * time.Hour))
		stored, _ = session.Value[string](s, "_session_expiry")
	}, "")
	if stored != "2023-11-15T22:13:20+00:00" {
		t.Errorf("SetExpiryAt stores %q, want the reference's text", stored)
	}

	now := time.Now().UTC().Truncate(time.Second)
	mgr := &session.Manager{Store: store, Codec: codec, Now: func() time.Time { return now }}
	at := now.Add(24 * time.Hour)
	for i, text := range []string{
		at.Format("2006-01-02T15:04:05+00:00"),
		at.In(time.FixedZone("", 3600)).Format("2006-01-02T15:04:05-07:00"),
		at.Format("2006-01-02T15:04:05") + ".000000+00:00",
		at.Format("2006-01-02T15:04:05"),
	} {
		key := fmt.Sprintf("isoexpiry%023d", i)
		quoted, _ := json.Marshal(text)
		data, err := codec.Encode(map[string][]byte{"_session_expiry": quoted, "cart": []byte("[1]")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Create(t.Context(), key, session.Record{Data: data, Expiry: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		var age time.Duration
		serveWith(mgr, func(w http.ResponseWriter, r *http.Request) {
			s := session.From(r)
			age = s.ExpiryAge()
			s.Set("cart", []int{1, 2})
		}, key)
		if age != 24*time.Hour {
			t.Errorf("%s: ExpiryAge %v, want 24h", text, age)
		}
		rec, err := store.Load(t.Context(), key)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if rec.Expiry.Sub(at).Abs() > time.Millisecond {
			t.Errorf("%s: saved with expiry %v, want %v", text, rec.Expiry, at)
		}
	}
}

// Django 4.0 dropped the formats 3.2 still read: the pre-3.1 session data
// (base64 of a SHA-1 hex digest and the JSON) and SHA-1 signatures
// (DEFAULT_HASHING_ALGORITHM = "sha1"). tether reads neither by default,
// as 4.0+; signing.WithAlgorithm(signing.SHA1) verifies (and writes) 3.2's
// SHA-1 signatures for a 3.2 peer configured so. Vectors: the reference's
// §2.3 and §1.9.
func TestLegacyFormatsRemoved(t *testing.T) {
	codec, err := session.NewDjangoCodec([]byte(djangoKey))
	if err != nil {
		t.Fatal(err)
	}
	const legacySession = "NmQzOWFiOGM5YmExMWRlZjY2M2QxMzA1ZDNkOTE3ODU3ZTBlZDkzMzp7ImNhcnQiOlsxLDIsM119"
	if vals, err := codec.Decode([]byte(legacySession)); err == nil {
		t.Errorf("the pre-3.1 session format decodes to %v; Django 4.0+ refuses it", vals)
	}
	const current = "eyJjYXJ0IjpbMSwyLDNdLCJuYW1lIjoiWm9cdTAwZWIifQ:1r31eq:k1Xwxmw-I3F-mfAv3pomXDCK5DxBwqIOejI1kz57sy8"
	if vals, err := codec.Decode([]byte(current)); err != nil || string(vals["cart"]) != "[1,2,3]" {
		t.Errorf("the current format: %v %v", vals, err)
	}

	const sha1Signed = "hello:oSO-MCpaJqlNYYXD2udXTaUp8wc"
	def, err := signing.NewSigner([]byte(djangoKey))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := def.Unsign(sha1Signed); err == nil {
		t.Errorf("a SHA-1 signature verifies by default (%q); Django 4.0+ refuses it", v)
	}
	sha1, err := signing.NewSigner([]byte(djangoKey), signing.WithAlgorithm(signing.SHA1))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := sha1.Unsign(sha1Signed); err != nil || v != "hello" {
		t.Errorf("WithAlgorithm(SHA1): %q %v", v, err)
	}
	if got := sha1.Sign("hello"); got != sha1Signed {
		t.Errorf("WithAlgorithm(SHA1) signs %q, want %q", got, sha1Signed)
	}
}
