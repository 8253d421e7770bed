package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tetherweb/tether/internal/dsn"
)

func newTestServer(t *testing.T) *http.Client { return newTestServerWith(t, "") }

// newTestServerWith serves the demo over a fresh SQLite file; options is
// the DSN's query string ("?table=django_session", or "").
func newTestServerWith(t *testing.T, options string) *http.Client {
	t.Helper()
	store, err := dsn.Open("sqlite:" + filepath.Join(t.TempDir(), "blog.db") + options)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	app, err := newApp(store, []byte("test secret key"), false)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	c := srv.Client()
	c.Jar = jar
	base = srv.URL
	return c
}

var base string

func fetch(t *testing.T, c *http.Client, method, path string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestIndexCountsVisits(t *testing.T) {
	c := newTestServer(t)
	for i := 1; i <= 3; i++ {
		_, body := fetch(t, c, "GET", "/")
		if want := fmt.Sprintf("<strong>%d</strong>", i); !strings.Contains(body, want) {
			t.Fatalf("visit %d: page lacks %s", i, want)
		}
	}
}

func TestVisitedCookie(t *testing.T) {
	c := newTestServer(t)
	resp, body := fetch(t, c, "GET", "/visits")
	if !strings.Contains(body, "1 times") {
		t.Fatalf("first visit: %q", body)
	}
	sc := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"visited=1", "HttpOnly", "SameSite=Lax", "Max-Age=2592000"} {
		if !strings.Contains(sc, want) {
			t.Errorf("cookie %q lacks %s", sc, want)
		}
	}
	if _, body = fetch(t, c, "GET", "/visits"); !strings.Contains(body, "2 times") {
		t.Fatalf("second visit: %q", body)
	}
}

func TestConcurrentCartAdds(t *testing.T) {
	c := newTestServer(t)
	fetch(t, c, "GET", "/") // start a session
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Post(base+"/cart/add/5", "text/plain", nil)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	_, body := fetch(t, c, "GET", "/api/cart")
	var got struct{ Items map[string]int }
	if err := json.Unmarshal([]byte(body), &got); err != nil || got.Items["5"] != 100 {
		t.Fatalf("/api/cart = %s (%v), want 100 of product 5", body, err)
	}
}

func TestSecretKeyGeneratedOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "blog.secret")
	t.Setenv("TETHER_SECRET_KEY", "")
	k1, err := loadSecretKey("", file)
	if err != nil || len(k1) < 50 {
		t.Fatalf("generated key %q, %v", k1, err)
	}
	if info, _ := os.Stat(file); info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", info.Mode().Perm())
	}
	k2, _ := loadSecretKey("", file)
	if string(k1) != string(k2) {
		t.Fatal("a second start generated another key")
	}
	t.Setenv("TETHER_SECRET_KEY", "from the environment")
	if k, _ := loadSecretKey("", file); string(k) != "from the environment" {
		t.Fatalf("env ignored: %q", k)
	}
	if k, _ := loadSecretKey("from the flag", file); string(k) != "from the flag" {
		t.Fatalf("flag ignored: %q", k)
	}
}

func TestDjangoMode(t *testing.T) {
	c := newTestServerWith(t, "?table=django_session")
	fetch(t, c, "GET", "/")
	if _, body := fetch(t, c, "GET", "/"); !strings.Contains(body, "<strong>2</strong>") {
		t.Fatalf("Django-format sessions do not count: %s", body)
	}
}
