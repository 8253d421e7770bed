package csrf

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzCheckHeaders: the Origin, Referer and Sec-Fetch-Site headers and
// the Host are the client's: any combination is accepted or refused with
// an *Error whose texts stay bounded, never a panic; a refusal's texts
// hold at most a bounded part of each header.
func FuzzCheckHeaders(f *testing.F) {
	for _, c := range [][4]string{
		{"https://example.com", "", "", "example.com"},
		{"null", "", "cross-site", "example.com"},
		{"", "https://example.com/page", "", "example.com"},
		{"", "http://example.com/", "", "example.com"},
		{"HTTPS://EXAMPLE.COM:443", "", "same-origin", "example.com"},
		{"https://a.example.com", "", "same-site", "example.com"},
		{"http://localhost:3000", "", "", "localhost:8000"},
		{"https://example.com\n", "https://user:pw@example.com/", "none", "example.com:99999"},
		{"https://[::1", "https://%zz/", "cross-site\x00", "[::1]:"},
		{strings.Repeat("a", 3000), strings.Repeat("https://x/", 300), strings.Repeat("s", 500), strings.Repeat("h", 300)},
		{"https://" + strings.Repeat("a", 3000), "", "same-site", strings.Repeat("h.", 2000) + "example"},
		{"", "https://" + strings.Repeat("b", 3000) + "/", "", strings.Repeat("h", 3000)},
	} {
		f.Add(c[0], c[1], c[2], c[3], true)
		f.Add(c[0], c[1], c[2], c[3], false)
	}
	g, err := New(Options{TrustedOrigins: []string{"https://*.trusted.example", "https://partner.example"}, AllowSameSite: true, HeaderOnly: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, origin, referer, sfs, host string, https bool) {
		scheme := "http"
		if https {
			scheme = "https"
		}
		r := httptest.NewRequest("POST", scheme+"://example.com/submit", nil)
		r.Host = host
		for k, v := range map[string]string{"Origin": origin, "Referer": referer, "Sec-Fetch-Site": sfs} {
			if v != "" {
				r.Header[k] = []string{v}
			}
		}
		err := g.Check(r)
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			if errors.Is(err, http.ErrNoCookie) {
				return
			}
			t.Fatalf("not an *Error: %v", err)
		}
		if len(e.Detail)+len(e.Fix) > 4000 {
			t.Fatalf("refusal texts of %d bytes", len(e.Detail)+len(e.Fix))
		}
	})
}
