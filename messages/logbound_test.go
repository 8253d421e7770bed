package messages

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The messages' log lines carry the request's path and the message text
// bounded and quoted: a 900 KB path or text adds a few hundred bytes, and
// a newline in one cannot forge a second log line.
func TestLogIsBounded(t *testing.T) {
	huge := "/" + strings.Repeat("p", 900_000) + "\nlevel=ERROR msg=forged"
	var logs bytes.Buffer
	m := &Manager{Storage: NewCookieStorage(testKey), Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Get(r) // the tampered cookie is rejected and logged
		w.WriteHeader(http.StatusOK)
		Info(r, strings.Repeat("m", 900_000)+"\nlevel=ERROR") // after the headers: refused and logged
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.URL.Path = huge
	req.AddCookie(&http.Cookie{Name: "messages", Value: "tampered:value"})
	h.ServeHTTP(httptest.NewRecorder(), req)
	out := logs.String()
	if n := strings.Count(out, "\n"); n != 2 || len(out) > 6000 {
		t.Fatalf("%d lines, %d bytes: %.500s", n, len(out), out)
	}
	if !strings.Contains(out, `path="\"/ppp`) || !strings.Contains(out, `message="\"mmm`) {
		t.Fatalf("values not quoted: %.800s", out)
	}
}
