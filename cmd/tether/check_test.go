package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/cookie"
	"github.com/tetherweb/tether/deploy"
	"github.com/tetherweb/tether/proxy"
	"github.com/tetherweb/tether/secure"
)

const strongKey = "kX3v9Qp2Lr8TzW4mN6bY1cH5jF7dS0aG-_eUoPiRtVyBnMlKqZxCwE3"

// hostChecked serves h for the test servers' host only, as a deployment
// with proxy.Config.AllowedHosts does; other hosts get 400.
func hostChecked(h http.Handler) http.Handler {
	return proxy.MustNew(proxy.Config{AllowedHosts: []string{"127.0.0.1"}, Logger: slog.New(slog.DiscardHandler)}).Middleware(h)
}

// site starts an HTTPS server whose pages are guarded by o and set the
// session and CSRF cookies with opts, and a plain-HTTP server for the same
// site guarded by plain (typically redirecting to the HTTPS one). Both are
// closed when the test ends.
func site(t *testing.T, o secure.Options, opts cookie.Options, plain func(tlsHost string) http.Handler) (tlsURL, httpURL string) {
	t.Helper()
	page := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		sess := opts
		if err := cookie.Set(w, "sessionid", "k1", sess); err != nil {
			t.Error(err)
		}
		csrf := opts
		csrf.ScriptReadable = true
		if err := cookie.Set(w, "csrftoken", "t1", csrf); err != nil {
			t.Error(err)
		}
		w.Write([]byte("page"))
	})
	tlsSrv := httptest.NewTLSServer(hostChecked(secure.MustNew(o).Middleware(page)))
	t.Cleanup(tlsSrv.Close)
	u, _ := url.Parse(tlsSrv.URL)
	plainSrv := httptest.NewServer(plain(u.Host))
	t.Cleanup(plainSrv.Close)
	return tlsSrv.URL + "/page", plainSrv.URL + "/page"
}

// redirecting is a plain-HTTP server doing what a good Guard does.
func redirecting(tlsHost string) http.Handler {
	return secure.MustNew(secure.Options{SSLRedirect: true, SSLHost: tlsHost}).Middleware(http.NotFoundHandler())
}

var goodOptions = secure.Options{SSLRedirect: true, HSTSMaxAge: 365 * 24 * time.Hour, HSTSIncludeSubdomains: true, HSTSPreload: true}

func TestCheckDeployGoodSite(t *testing.T) {
	t.Setenv("TETHER_SECRET_KEY", strongKey)
	tlsURL, httpURL := site(t, goodOptions, cookie.Options{Secure: true}, redirecting)
	code, out, errs := runCLI(t, "check", "--deploy", "--insecure", "--http-url", httpURL, tlsURL)
	if code != 0 || !strings.Contains(out, "System check identified no issues.") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{tlsURL + " (200 OK)", httpURL + " (301 Moved Permanently)", "the secret key"} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not list %q:\n%s", want, out)
		}
	}
}

// Given only the plain-HTTP URL, the check follows its redirect once and
// judges the HTTPS page it leads to.
func TestCheckDeployFromPlainURL(t *testing.T) {
	tlsURL, httpURL := site(t, goodOptions, cookie.Options{Secure: true}, redirecting)
	code, out, errs := runCLI(t, "check", "--deploy", "--insecure", httpURL)
	if code != 0 || !strings.Contains(out, tlsURL+" (200 OK)") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
}

func TestCheckDeployBadSite(t *testing.T) {
	// Django's defaults (no HSTS, no redirect), cookies without Secure,
	// a plain-HTTP site that serves pages, a short key.
	serving := func(string) http.Handler { return secure.MustNew(secure.Options{}).Middleware(http.NotFoundHandler()) }
	tlsURL, httpURL := site(t, secure.Options{}, cookie.Options{}, serving)
	code, out, errs := runCLI(t, "check", "--deploy", "--insecure", "--secret-key", "too short", "--http-url", httpURL, tlsURL)
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{
		"System check identified some issues:\n\nWARNINGS:\n",
		"?: (security.W004) HTTP Strict Transport Security is off (the response has no Strict-Transport-Security header)",
		"\n\tHINT: ",
		"?: (security.W008) Plain-HTTP requests are not redirected to HTTPS (" + httpURL + " answered 404 Not Found).",
		"?: (security.W009) The secret key has 9 characters, fewer than 50",
		"?: (security.W012) The session cookie sessionid is not Secure (set with HttpOnly; SameSite=Lax)",
		"?: (security.W016) The CSRF cookie csrftoken is not Secure (set with SameSite=Lax)",
		"\nSystem check identified 5 issues.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Errors come first, in their own section.
	weird := secure.Options{ReferrerPolicy: secure.Omit}
	tlsURL, _ = site(t, weird, cookie.Options{Secure: true}, redirecting)
	code, out, _ = runCLI(t, "check", "--deploy", "--insecure", "--no-http", tlsURL)
	if code != 1 || !strings.Contains(out, "(security.W022)") || !strings.Contains(out, "(security.W004)") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestCheckDeployReportsErrorsFirst(t *testing.T) {
	srv := httptest.NewTLSServer(hostChecked(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains; preload")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "sometimes")
		w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
		w.Header().Set("X-Frame-Options", "DENY")
		http.SetCookie(w, &http.Cookie{Name: "tracker", Value: "1", SameSite: http.SameSiteNoneMode})
	})))
	t.Cleanup(srv.Close)
	code, out, _ := runCLI(t, "check", "--deploy", "--insecure", "--no-http", srv.URL)
	want := "ERRORS:\n?: (security.E023) The Referrer-Policy header \"sometimes\""
	if code != 1 || !strings.Contains(out, want) || !strings.Contains(out, "WARNINGS:\n?: (tether.W006) The cookie tracker is SameSite=None without Secure") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if strings.Index(out, "ERRORS:") > strings.Index(out, "WARNINGS:") {
		t.Fatalf("warnings before errors:\n%s", out)
	}
}

func TestCheckDeploySecretKeyOnly(t *testing.T) {
	t.Setenv("TETHER_SECRET_KEY", "django-insecure-"+strongKey)
	code, out, _ := runCLI(t, "check", "--deploy")
	if code != 1 || !strings.Contains(out, "(security.W009)") || !strings.Contains(out, "django-insecure-") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	t.Setenv("TETHER_SECRET_KEY", strongKey)
	if code, out, _ := runCLI(t, "check", "--deploy"); code != 0 {
		t.Fatalf("strong key: exit %d:\n%s", code, out)
	}
	file := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(file, []byte("aaaa\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, "check", "--deploy", "--secret-key-file", file); code != 1 || !strings.Contains(out, "has 4 characters") {
		t.Fatalf("key file: exit %d:\n%s", code, out)
	}
}

// Nothing on plain HTTP is reported as a note, not a warning, when the
// plain-HTTP URL was derived; a URL the user named must answer.
func TestCheckDeployUnreachable(t *testing.T) {
	tlsURL, _ := site(t, goodOptions, cookie.Options{Secure: true}, redirecting)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	u, _ := url.Parse(tlsURL)
	// The derived plain-HTTP URL is port 80 of the test host: point the
	// check at a closed port instead by naming it, then check both ways.
	code, out, errs := runCLI(t, "check", "--deploy", "--insecure", "--http-url", closedURL, tlsURL)
	if code != 1 || !strings.Contains(errs, "GET "+closedURL) {
		t.Fatalf("named plain-HTTP URL unreachable: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "check", "--deploy", "--insecure", "--no-http", tlsURL)
	if code != 0 {
		t.Fatalf("--no-http: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	// An HTTPS page that cannot be fetched (certificate not trusted
	// without --insecure) fails the check.
	code, _, errs = runCLI(t, "check", "--deploy", "--no-http", tlsURL)
	if code != 1 || !strings.Contains(errs, "GET "+u.Scheme+"://"+u.Host) || !strings.Contains(errs, "certificate") {
		t.Fatalf("untrusted certificate: exit %d, stderr %q", code, errs)
	}
}

func TestCheckUsageErrors(t *testing.T) {
	t.Setenv("TETHER_SECRET_KEY", "")
	os.Unsetenv("TETHER_SECRET_KEY") // t.Setenv restores it afterwards
	for _, args := range [][]string{
		{"check"},
		{"check", "https://example.com/"},
		{"check", "--deploy"},
		{"check", "--deploy", "ftp://example.com/"},
		{"check", "--deploy", "example.com"},
		{"check", "--deploy", "http://a.example/", "http://b.example/"},
		{"check", "--deploy", "--http-url", "https://example.com/", "https://example.com/"},
		{"check", "--deploy", "--no-http", "http://example.com/"},
		{"check", "--deploy", "--secret-key", "x", "--secret-key-file", "y"},
		{"check", "--deploy", "--timeout", "0s", "https://example.com/"},
		{"check", "--deploy", "--bogus"},
	} {
		if code, out, errs := runCLI(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2\nstdout:\n%s\nstderr:\n%s", args, code, out, errs)
		}
	}
	code, _, errs := runCLI(t, "help")
	if code != 0 || !strings.Contains(errs, "check") {
		t.Fatalf("help does not list check: %q", errs)
	}
}

// A page that can be framed by any site is a clickjacking warning
// (security.W002), SAMEORIGIN a milder one (security.W019); a CSP
// frame-ancestors directive is protection enough without X-Frame-Options.
func TestCheckDeployFraming(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    secure.Options
		csp  string
		want string // the warning's start, "" for none
	}{
		{"X-Frame-Options omitted", secure.Options{FrameOptions: secure.Omit}, "",
			"?: (security.W002) Pages can be shown in a frame by any site (the response has no X-Frame-Options header and no Content-Security-Policy frame-ancestors directive)"},
		{"SAMEORIGIN", secure.Options{FrameOptions: "SAMEORIGIN"}, "", "?: (security.W019) X-Frame-Options is SAMEORIGIN, not DENY"},
		{"frame-ancestors instead", secure.Options{FrameOptions: secure.Omit}, "frame-ancestors 'none'", ""},
		{"default DENY", secure.Options{}, "", ""},
	} {
		o := goodOptions
		o.FrameOptions = tc.o.FrameOptions
		page := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if tc.csp != "" {
				w.Header().Set("Content-Security-Policy", tc.csp)
			}
			w.Write([]byte("page"))
		})
		srv := httptest.NewTLSServer(hostChecked(secure.MustNew(o).Middleware(page)))
		code, out, errs := runCLI(t, "check", "--deploy", "--insecure", "--no-http", srv.URL)
		srv.Close()
		if tc.want == "" {
			if code != 0 {
				t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", tc.name, code, out, errs)
			}
			continue
		}
		if code != 1 || !strings.Contains(out, tc.want) || !strings.Contains(out, "System check identified 1 issue.") {
			t.Errorf("%s: exit %d, want 1 and %q:\n%s", tc.name, code, tc.want, out)
		}
	}
}

// A site that answers any Host (no proxy.Config.AllowedHosts) is reported
// (security.W020); the probe asks for a name under .invalid.
func TestCheckDeployProbesHostCheck(t *testing.T) {
	var hosts []string
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hosts = append(hosts, r.Host)
		w.Write([]byte("page"))
	})
	open := httptest.NewTLSServer(secure.MustNew(goodOptions).Middleware(page))
	t.Cleanup(open.Close)
	code, out, _ := runCLI(t, "check", "--deploy", "--insecure", "--no-http", open.URL)
	if code != 1 || !strings.Contains(out, "?: (security.W020) The site answered 200 OK to a request for the host tether-check.invalid") ||
		!strings.Contains(out, "Host tether-check.invalid (200 OK)") {
		t.Fatalf("open site: exit %d:\n%s", code, out)
	}
	if len(hosts) != 2 || hosts[1] != deploy.ForeignHostName {
		t.Fatalf("hosts asked for: %q", hosts)
	}
	checked := httptest.NewTLSServer(hostChecked(secure.MustNew(goodOptions).Middleware(page)))
	t.Cleanup(checked.Close)
	code, out, _ = runCLI(t, "check", "--deploy", "--insecure", "--no-http", checked.URL)
	if code != 0 || !strings.Contains(out, "Host tether-check.invalid (400 Bad Request)") {
		t.Fatalf("host-checked site: exit %d:\n%s", code, out)
	}
}

// TestCheckFallbackRetirement: check --deploy says when fallback keys have
// outlived everything they signed (tether.W011), and not before.
func TestCheckFallbackRetirement(t *testing.T) {
	old := time.Now().Add(-30 * 24 * time.Hour).Format(time.DateOnly)
	code, out, errs := runCLI(t, "check", "--deploy", "--fallback-keys", "2", "--rotated-at", old)
	if code != 1 || !strings.Contains(out, "tether.W011") {
		t.Fatalf("exit %d, out %q, err %q", code, out, errs)
	}
	recent := time.Now().Add(-24 * time.Hour).Format(time.RFC3339)
	if code, out, errs := runCLI(t, "check", "--deploy", "--fallback-keys", "2", "--rotated-at", recent); code != 0 || strings.Contains(out, "W011") {
		t.Fatalf("recent rotation: exit %d, out %q, err %q", code, out, errs)
	}
	if code, _, _ := runCLI(t, "check", "--deploy", "--rotated-at", "last tuesday"); code != 2 {
		t.Errorf("a bad date: exit %d, want 2", code)
	}
}
