package csrf_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tetherweb/tether/csrf"
)

// A refusal logs the request's values bounded and quoted: a 900 KB Origin
// or Referer (or path) adds a few hundred bytes to the log, not megabytes,
// and a newline in one cannot forge a second log line. The 403 page that
// shows the reason is bounded the same way.
func TestRefusalLogIsBounded(t *testing.T) {
	huge := "https://evil.example/" + strings.Repeat("A", 900_000)
	forged := "https://evil.example\nlevel=ERROR msg=\"forged line\""
	cases := []struct {
		name, url string
		header    []string
	}{
		{"origin", "http://site.example/submit", []string{"Origin", huge}},
		{"origin cross-site", "http://site.example/submit", []string{"Origin", huge, "Sec-Fetch-Site", "cross-site"}},
		{"sec-fetch-site", "http://site.example/submit", []string{"Origin", huge, "Sec-Fetch-Site", huge}},
		{"origin insecure same-site", "https://site.example/submit", []string{"Origin", "http://" + strings.Repeat("a", 900_000), "Sec-Fetch-Site", "same-site"}},
		{"referer", "https://site.example/submit", []string{"Referer", huge}},
		{"referer host", "https://site.example/submit", []string{"Referer", "https://" + strings.Repeat("a", 900_000) + ".example/"}},
		{"path", "http://site.example/" + strings.Repeat("p", 900_000), []string{"Origin", "http://site.example"}},
		{"forged origin", "http://site.example/submit", []string{"Origin", forged}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs bytes.Buffer
			opts := csrf.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
			if c.name == "origin insecure same-site" {
				opts.AllowSameSite = true
			}
			g, err := csrf.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			h := g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
			req := httptest.NewRequest("POST", c.url, strings.NewReader("a=b"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for i := 0; i+1 < len(c.header); i += 2 {
				req.Header.Set(c.header[i], c.header[i+1])
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusForbidden {
				t.Fatalf("status %d", rec.Code)
			}
			out := logs.String()
			if len(out) > 6000 || strings.Count(out, "\n") != 1 {
				t.Fatalf("log: %d bytes, %d lines: %.300s", len(out), strings.Count(out, "\n"), out)
			}
			if !strings.Contains(out, "path=") || !strings.Contains(out, `reason="\"`) {
				t.Fatalf("values not quoted: %.600s", out)
			}
			if rec.Body.Len() > 6000 {
				t.Fatalf("403 page: %d bytes", rec.Body.Len())
			}
		})
	}
}
