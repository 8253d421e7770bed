package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/testkit/servicetest"
)

const testKey = "bridge-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-01"

// freeAddr returns a loopback address nobody listens on (for Django's
// runserver, which takes no port 0).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var tokenRE = regexp.MustCompile(`name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"`)

// browser is an HTTP client with one cookie jar for both sides (cookies
// do not depend on the port, as in a browser).
type browser struct {
	t *testing.T
	c *http.Client
}

func (b *browser) do(method, u string, form url.Values, origin string) string {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		b.t.Fatalf("%s %s: %d\n%s", method, u, resp.StatusCode, out)
	}
	return string(out)
}

func token(t *testing.T, page string) string {
	t.Helper()
	m := tokenRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in\n%s", page)
	}
	return m[1]
}

// TestBridge starts the Django project (runserver, on a new SQLite file
// migrated by Django, with a user made by createsuperuser) and the Go
// service on the same database and key, then: a guest adds a mug to the
// cart on Django and logs in there; the Go side shows the user, the cart
// and Django's flash message; the user logs out on the Go side; Django
// sees nobody logged in.
func TestBridge(t *testing.T) {
	python := servicetest.DjangoPython(t)
	db := filepath.Join(t.TempDir(), "bridge.sqlite3")
	env := append(os.Environ(), "BRIDGE_DB="+db, "BRIDGE_SECRET_KEY="+testKey, "BRIDGE_DEBUG=0",
		"PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8", "DJANGO_SUPERUSER_PASSWORD=wonderland")
	manage := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), python, append([]string{"manage.py"}, args...)...)
		cmd.Dir, cmd.Env = "django", env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("manage.py %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	manage("migrate", "-v0")
	manage("createsuperuser", "--noinput", "--username", "alice", "--email", "alice@example.com")

	ctx, cancel := context.WithCancel(context.Background())
	goAddr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, config{Addr: "127.0.0.1:0", DB: db, SecretKey: []byte(testKey),
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, func(a string) { goAddr <- a })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Go service: %v", err)
		}
	})
	var goURL string
	select {
	case a := <-goAddr:
		goURL = "http://" + a
	case err := <-done:
		t.Fatalf("Go service: %v", err)
	}

	djangoAddr := freeAddr(t)
	djangoURL := "http://" + djangoAddr
	server := exec.Command(python, "manage.py", "runserver", "--noreload", djangoAddr)
	server.Dir, server.Env = "django", append(env, "BRIDGE_GO_URL="+goURL+"/")
	var serverLog bytes.Buffer
	server.Stdout, server.Stderr = &serverLog, &serverLog
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		server.Process.Kill()
		server.Wait()
		if t.Failed() {
			t.Logf("runserver:\n%s", serverLog.String())
		}
	})
	for start := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(djangoURL + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("Django did not start: %v\n%s", err, serverLog.String())
		}
	}

	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}

	// On Django: a guest adds a mug, then logs in (redirected to Go).
	page := b.do("GET", djangoURL+"/", nil, "")
	page = b.do("POST", djangoURL+"/", url.Values{"csrfmiddlewaretoken": {token(t, page)}, "action": {"add"}, "product": {"5"}}, "")
	if !strings.Contains(page, "Mug × 1") || !strings.Contains(page, "Mug added to the cart.") {
		t.Fatalf("Django's cart:\n%s", page)
	}
	goPage := b.do("POST", djangoURL+"/", url.Values{"csrfmiddlewaretoken": {token(t, page)}, "action": {"login"},
		"username": {"alice"}, "password": {"wonderland"}}, "")

	// On Go: the user, the cart and Django's message.
	for _, want := range []string{"<h1>Go</h1>", "Logged in as alice.", "Mug × 1", "Welcome, alice."} {
		if !strings.Contains(goPage, want) {
			t.Fatalf("the Go side after Django's login lacks %q:\n%s", want, goPage)
		}
	}
	if again := b.do("GET", goURL+"/", nil, ""); strings.Contains(again, "Welcome, alice.") {
		t.Fatal("Django's message shown twice")
	}

	// Go adds to the same cart; Django sees it.
	goPage = b.do("POST", goURL+"/cart/add", url.Values{"csrfmiddlewaretoken": {token(t, goPage)}, "product": {"1"}}, goURL)
	if !strings.Contains(goPage, "Teapot added to the cart.") {
		t.Fatalf("the Go side after adding:\n%s", goPage)
	}
	page = b.do("GET", djangoURL+"/", nil, "")
	for _, want := range []string{"Logged in as alice.", "Mug × 1", "Teapot × 1"} {
		if !strings.Contains(page, want) {
			t.Fatalf("Django after Go's change lacks %q:\n%s", want, page)
		}
	}

	// Logout on Go: Django sees nobody logged in, and an empty cart.
	goPage = b.do("POST", goURL+"/logout", url.Values{"csrfmiddlewaretoken": {token(t, goPage)}}, goURL)
	if !strings.Contains(goPage, "Not logged in") || !strings.Contains(goPage, "Logged out, here and on Django.") {
		t.Fatalf("the Go side after logout:\n%s", goPage)
	}
	page = b.do("GET", djangoURL+"/", nil, "")
	if !strings.Contains(page, "Not logged in.") || strings.Contains(page, "Mug × 1") {
		t.Fatalf("Django after Go's logout:\n%s", page)
	}
}
