package session_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tetherweb/tether/session"
)

// failingStore fails every write.
type failingStore struct{}

func (failingStore) Load(context.Context, string) (session.Record, error) {
	return session.Record{}, session.ErrNotFound
}
func (failingStore) Create(context.Context, string, session.Record) (session.Version, error) {
	return 0, errors.New("store down")
}
func (failingStore) Update(context.Context, string, session.Record) (session.Version, error) {
	return 0, errors.New("store down")
}
func (failingStore) Delete(context.Context, string) error { return nil }

// A failed commit is logged with the request's method and path bounded
// and quoted: a 900 KB path adds a few hundred bytes, and a newline in it
// cannot forge a second log line.
func TestCommitFailureLogIsBounded(t *testing.T) {
	var logs bytes.Buffer
	m := &session.Manager{Store: failingStore{}, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("k", 1)
	}))
	r := httptest.NewRequest("GET", "/", nil)
	r.URL.Path = "/" + strings.Repeat("p", 900_000) + "\nlevel=ERROR msg=forged"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	out := logs.String()
	if rec.Code < 500 || strings.Count(out, "\n") != 1 || len(out) > 3000 ||
		!strings.Contains(out, `path="\"/ppp`) || !strings.Contains(out, `method="\"GET\""`) {
		t.Fatalf("status %d, log %d bytes: %.600s", rec.Code, len(out), out)
	}
}
