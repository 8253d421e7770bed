package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tetherweb/tether/internal/dsn"
)

func newTestServer(t *testing.T) *http.Client {
	t.Helper()
	store, err := dsn.Open("sqlite:" + t.TempDir() + "/blog.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewServer(newApp(store, false))
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
