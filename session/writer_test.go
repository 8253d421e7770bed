package session_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tetherweb/tether/session"
)

func TestHijackCommitsFirst(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewServer(e.mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("ws", "open")
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
		brw.Flush()
		if err := session.From(r).Set("late", 1); !errors.Is(err, session.ErrCommitted) {
			t.Errorf("Set after hijack: %v", err)
		}
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if e.store.len() != 1 {
		t.Fatalf("session not saved before the hijack (%d records)", e.store.len())
	}
}

func TestHijackRefusedWhenCommitFails(t *testing.T) {
	e := newEnv(t)
	e.store.failWith = session.ErrUnavailable
	srv := httptest.NewServer(e.mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("ws", "open")
		if _, _, err := w.(http.Hijacker).Hijack(); err == nil {
			t.Error("Hijack succeeded although the session could not be saved")
		}
		if _, err := w.Write([]byte("late")); err == nil {
			t.Error("Write after a replaced response succeeded")
		}
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
}

func TestUnwrapReachesTheServerWriter(t *testing.T) {
	e := newEnv(t)
	var inner http.ResponseWriter
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	e.mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner = w.(interface{ Unwrap() http.ResponseWriter }).Unwrap()
	})).ServeHTTP(rec, req)
	if inner != rec {
		t.Fatal("Unwrap does not return the wrapped writer")
	}
}
