package deploy

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzCheckSite feeds CheckSite (and so `tether check --deploy`) headers
// as a hostile or broken site might send them: it must never panic, and
// every warning it gives has an ID and a message.
func FuzzCheckSite(f *testing.F) {
	f.Add("max-age=31536000; includeSubDomains; preload", "nosniff", "same-origin", "same-origin", "DENY", "frame-ancestors 'none'", "sessionid=k; Secure; HttpOnly; SameSite=Lax", 301, "https://example.com/")
	f.Add("max-age=-1;;includesubdomains=", "NOSNIFF,", "no-referrer, ,unsafe-url", "bogus", "ALLOW-FROM x, deny", "frame-ancestors", "csrftoken=t; SameSite=None", 302, "http://x")
	f.Add("max-age=\"99999999999999999999999\"", "", "", "", "", "", "=; Expires=Thu, 01 Jan 1970 00:00:00 GMT", 200, "::")
	f.Fuzz(func(t *testing.T, hsts, nosniff, referrer, coop, frame, csp, setCookie string, status int, location string) {
		h := http.Header{}
		for k, v := range map[string]string{
			"Strict-Transport-Security":  hsts,
			"X-Content-Type-Options":     nosniff,
			"Referrer-Policy":            referrer,
			"Cross-Origin-Opener-Policy": coop,
			"X-Frame-Options":            frame,
			"Content-Security-Policy":    csp,
			"Set-Cookie":                 setCookie,
			"Location":                   location,
		} {
			if v != "" {
				h[k] = strings.Split(v, "\n")
			}
		}
		res := &http.Response{StatusCode: status, Status: http.StatusText(status), Header: h}
		for _, w := range CheckSite(Site{HTTP: res, HTTPS: []*http.Response{res}, ForeignHost: res}) {
			if w.ID == "" || w.Message == "" {
				t.Fatalf("warning without ID or message: %+v", w)
			}
		}
	})
}
