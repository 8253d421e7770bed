package messages

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

type post struct {
	ID    int
	Title string
}

func TestOnSuccess(t *testing.T) {
	saved := MustSuccessMessage("{{.Title}} post saved.")
	s := newSite(t, &Manager{Storage: NewCookieStorage(testKey)})
	s.mux.HandleFunc("POST /posts", func(w http.ResponseWriter, r *http.Request) {
		p, err := OnSuccess(r, saved, func() (post, error) {
			if r.FormValue("title") == "" {
				return post{}, errors.New("title required")
			}
			return post{ID: 7, Title: r.FormValue("title")}, nil
		})
		if err != nil {
			Error(r, "Please check the input again.")
			w.WriteHeader(http.StatusOK)
			return
		}
		if p.ID != 7 {
			t.Errorf("object %+v", p)
		}
		http.Redirect(w, r, "/show", http.StatusFound)
	})

	s.do("POST", "/posts", url.Values{"title": {"Hello <world>"}})
	if got, want := s.show(), line(LevelSuccess, "success", "Hello <world> post saved."); got != want {
		t.Fatalf("success: %q, want %q", got, want)
	}
	s.do("POST", "/posts", url.Values{"title": {""}})
	if got, want := s.show(), line(LevelError, "error", "Please check the input again."); got != want {
		t.Fatalf("failure: %q, want %q", got, want)
	}
}

func TestOnSuccessBadDataIsLoggedNotFailed(t *testing.T) {
	sm := MustSuccessMessage("{{.Missing}} saved")
	s := newSite(t, &Manager{Storage: NewCookieStorage(testKey)})
	s.mux.HandleFunc("POST /x", func(w http.ResponseWriter, r *http.Request) {
		if _, err := OnSuccess(r, sm, func() (map[string]string, error) { return map[string]string{}, nil }); err != nil {
			t.Errorf("OnSuccess: %v", err)
		}
	})
	s.do("POST", "/x", url.Values{})
	if got := s.show(); got != "" {
		t.Fatalf("%q", got)
	}
	if !strings.Contains(s.logs.String(), "success message not added") {
		t.Fatal("not logged")
	}
}

func TestSuccessMessageTemplate(t *testing.T) {
	if _, err := NewSuccessMessage("{{.Title"); err == nil {
		t.Fatal("bad template accepted")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("MustSuccessMessage did not panic")
			}
		}()
		MustSuccessMessage("{{")
	}()
	sm := MustSuccessMessage("{{.title}} ({{.id}})")
	if got, err := sm.Text(map[string]any{"title": "T", "id": 3}); err != nil || got != "T (3)" {
		t.Fatalf("%q %v", got, err)
	}
	if _, err := sm.Text(map[string]any{"title": "T"}); err == nil {
		t.Fatal("missing key accepted")
	}
	// An empty result adds nothing.
	empty := MustSuccessMessage("{{.}}")
	s := newSite(t, &Manager{Storage: NewCookieStorage(testKey)})
	s.mux.HandleFunc("POST /e", func(w http.ResponseWriter, r *http.Request) {
		if err := empty.Add(r, ""); err != nil {
			t.Error(err)
		}
	})
	if r := s.do("POST", "/e", url.Values{}); len(r.header.Values("Set-Cookie")) != 0 {
		t.Fatal("an empty success message was stored")
	}
}
