package messages

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tetherweb/tether/session"
)

func TestSessionStorageForms(t *testing.T) {
	for _, django := range []bool{false, true} {
		s := newSite(t, &Manager{Storage: &SessionStorage{Django: django}})
		s.add(LevelInfo, "hello")
		raw, ok := s.sessionValue(DefaultSessionKey)
		if !ok {
			t.Fatal("nothing in the session")
		}
		if got := strings.HasPrefix(raw, `"[[\"__json_message\", 0, 20`); got != django {
			t.Fatalf("Django %v: stored %s", django, raw)
		}
		if got := s.show(); got != line(LevelInfo, "info", "hello") {
			t.Fatalf("Django %v: %q", django, got)
		}
		if _, ok := s.sessionValue(DefaultSessionKey); ok {
			t.Fatal("the key was not removed")
		}
	}
}

func TestSessionStorageCustomKey(t *testing.T) {
	s := newSite(t, &Manager{Storage: &SessionStorage{Key: "flash"}})
	s.add(LevelInfo, "x")
	if _, ok := s.sessionValue("flash"); !ok {
		t.Fatal("custom key not used")
	}
}

func TestCorruptSessionValueIgnored(t *testing.T) {
	s := newSite(t, &Manager{})
	s.mux.HandleFunc("GET /corrupt", func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set(DefaultSessionKey, map[string]int{"x": 1})
	})
	s.do("GET", "/corrupt", nil)
	if got := s.show(); got != "" {
		t.Fatalf("%q", got)
	}
	if !strings.Contains(s.logs.String(), "session value rejected") {
		t.Fatal("not logged")
	}
	if _, ok := s.sessionValue(DefaultSessionKey); ok {
		t.Fatal("the corrupt value was kept")
	}
	s.do("GET", "/corrupt", nil)
	s.add(LevelInfo, "after")
	if got := s.show(); got != line(LevelInfo, "info", "after") {
		t.Fatalf("%q", got)
	}
}
