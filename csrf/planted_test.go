package csrf_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tetherweb/tether/csrf"
)

// A csrftoken cookie planted by an attacker (from a sibling subdomain, or
// by a man in the middle on some plain-HTTP page of the site) with a token
// they know: from a browser, which sends Sec-Fetch-Site or Origin, the
// header layer refuses the forged form whatever the token says. Without
// those headers (an old browser) the token layer alone decides and the
// planted pair passes: the limit Django documents for its cookie-based
// CSRF, which UseSession lifts (the secret then lives in the session,
// which a subdomain cannot plant).
func TestPlantedCookie(t *testing.T) {
	planted := strings.Repeat("a1", 16) // 32 letters: a bare secret, also a valid token
	post := func(h http.Handler, scheme string, hdr map[string]string, cookieValue string) int {
		form := url.Values{"csrfmiddlewaretoken": {planted}}
		r := httptest.NewRequest("POST", scheme+"://example.com/submit", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookieValue != "" {
			r.AddCookie(&http.Cookie{Name: "csrftoken", Value: cookieValue})
		}
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Code
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	g, err := csrf.New(csrf.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	h := g.Protect(ok)
	for name, hdr := range map[string]map[string]string{
		"sibling subdomain":     {"Sec-Fetch-Site": "same-site", "Origin": "https://evil.example.com"},
		"another site":          {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		"Origin only":           {"Origin": "http://evil.example.com"},
		"plain-HTTP page, MITM": {"Sec-Fetch-Site": "cross-site", "Origin": "http://example.com"},
	} {
		scheme := "http"
		if name == "plain-HTTP page, MITM" {
			scheme = "https"
		}
		if code := post(h, scheme, hdr, planted); code != http.StatusForbidden {
			t.Errorf("%s: planted cookie and token: %d, want 403", name, code)
		}
	}
	// The known limit: no browser headers, the planted pair passes.
	if code := post(h, "http", nil, planted); code != http.StatusOK {
		t.Errorf("no Origin, no Sec-Fetch-Site: %d; the documented limit changed, update docs/security.md", code)
	}
}
