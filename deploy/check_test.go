package deploy

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/cookie"
	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/proxy"
	"github.com/tetherweb/tether/secure"
	"github.com/tetherweb/tether/session"
)

const goodKey = "kX3v9Qp2Lr8TzW4mN6bY1cH5jF7dS0aG-_eUoPiRtVyBnMlKqZxCwE3"

// wellConfigured is a deployment Check has nothing to say about.
func wellConfigured() Deployment {
	return Deployment{
		Secure: &secure.Options{SSLRedirect: true, HSTSMaxAge: 365 * 24 * time.Hour, HSTSIncludeSubdomains: true, HSTSPreload: true},
		Proxy:  proxy.MustNew(proxy.Config{Trusted: []string{"10.0.0.0/8"}, AllowedHosts: []string{"example.com", ".example.com"}}),
		Session: &session.Manager{
			CookieName: "__Host-sessionid",
			Cookie:     cookie.Options{Secure: true},
		},
		CSRF:               &csrf.Options{TrustedOrigins: []string{"https://admin.example.com"}},
		SecretKey:          []byte(goodKey),
		SecretKeyFallbacks: [][]byte{[]byte(strings.ToUpper(goodKey))},
	}
}

func TestCheckWellConfigured(t *testing.T) {
	if ws := Check(wellConfigured()); len(ws) != 0 {
		t.Fatalf("warnings for a good deployment: %v", ws)
	}
}

func TestCheckZeroDeployment(t *testing.T) {
	if got := ids(Check(Deployment{})); !slices.Equal(got, []string{"security.W001", "security.W003", "security.W020"}) {
		t.Fatalf("got %v", got)
	}
	// The zero Options: Django's defaults, which "check --deploy" flags.
	got := ids(Check(Deployment{Secure: &secure.Options{}, Session: &session.Manager{}, CSRF: &csrf.Options{}}))
	want := []string{"security.W004", "security.W008", "security.W012", "security.W020"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestCheckEachProblem(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(d *Deployment)
		want   []string
	}{
		{"no guard", func(d *Deployment) { d.Secure = nil }, []string{"security.W001"}},
		{"SSL redirect off", func(d *Deployment) { d.Secure.SSLRedirect = false }, []string{"security.W008"}},
		{"HSTS off", func(d *Deployment) { d.Secure.HSTSMaxAge = 0 }, []string{"security.W004"}},
		{"HSTS short", func(d *Deployment) {
			d.Secure.HSTSMaxAge, d.Secure.HSTSPreload = time.Hour, false
		}, []string{"security.W021", "tether.W001"}},
		{"HSTS without subdomains", func(d *Deployment) {
			d.Secure.HSTSIncludeSubdomains, d.Secure.HSTSPreload = false, false
		}, []string{"security.W005", "security.W021"}},
		{"HSTS without preload", func(d *Deployment) { d.Secure.HSTSPreload = false }, []string{"security.W021"}},
		{"preload without a year", func(d *Deployment) { d.Secure.HSTSMaxAge = 200 * 24 * time.Hour }, []string{"tether.W002"}},
		{"preload without subdomains", func(d *Deployment) { d.Secure.HSTSIncludeSubdomains = false }, []string{"security.W005", "tether.W002"}},
		{"nosniff off", func(d *Deployment) { d.Secure.DisableNosniff = true }, []string{"security.W006"}},
		{"referrer omitted", func(d *Deployment) { d.Secure.ReferrerPolicy = secure.Omit }, []string{"security.W022"}},
		{"referrer invalid", func(d *Deployment) { d.Secure.ReferrerPolicy = "same-origin, nope" }, []string{"security.E023"}},
		{"COOP invalid", func(d *Deployment) { d.Secure.CrossOriginOpenerPolicy = "nope" }, []string{"security.E024"}},
		{"COOP omitted is Django's None: fine", func(d *Deployment) { d.Secure.CrossOriginOpenerPolicy = secure.Omit }, nil},
		{"bad options", func(d *Deployment) {
			d.Secure.SSLHost, d.Secure.RedirectExempt = "http://x", []string{"bad pattern"}
		}, []string{"tether.E001", "tether.E001"}},
		{"redirect exempts every path", func(d *Deployment) { d.Secure.RedirectExempt = []string{"/healthz", "/"} }, []string{"security.W008"}},
		{"redirect exempts every GET", func(d *Deployment) { d.Secure.RedirectExempt = []string{"GET /{path...}"} }, []string{"security.W008"}},
		{"redirect exempts the home page and a host", func(d *Deployment) {
			d.Secure.RedirectExempt = []string{"/{$}", "/static/", "status.example.com/"}
		}, nil},
		{"short key", func(d *Deployment) { d.SecretKey = []byte("test secret key") }, []string{"security.W009"}},
		{"empty key", func(d *Deployment) { d.SecretKey = []byte{} }, []string{"security.W009"}},
		{"few distinct characters", func(d *Deployment) { d.SecretKey = []byte(strings.Repeat("abcd", 20)) }, []string{"security.W009"}},
		{"django-insecure key", func(d *Deployment) { d.SecretKey = []byte("django-insecure-" + goodKey) }, []string{"security.W009"}},
		{"nil key is not checked", func(d *Deployment) { d.SecretKey = nil }, nil},
		{"weak fallback", func(d *Deployment) { d.SecretKeyFallbacks = append(d.SecretKeyFallbacks, []byte("old")) }, []string{"security.W025"}},
		{"session cookie not Secure", func(d *Deployment) {
			d.Session.CookieName, d.Session.Cookie.Secure = "", false
		}, []string{"security.W012"}},
		{"__Secure- prefix is Secure", func(d *Deployment) {
			d.Session.CookieName, d.Session.Cookie.Secure = "__Secure-sid", false
		}, nil},
		{"session cookie readable by scripts", func(d *Deployment) { d.Session.Cookie.ScriptReadable = true }, []string{"security.W015"}},
		{"session SameSite=None", func(d *Deployment) { d.Session.Cookie.SameSite = http.SameSiteNoneMode }, []string{"tether.W003"}},
		{"proxy trusts everyone", func(d *Deployment) {
			d.Proxy = proxy.MustNew(proxy.Config{Trusted: []string{"0.0.0.0/0"}, AllowedHosts: []string{"example.com"}})
		}, []string{"tether.W004"}},
		{"proxy trusts every IPv6", func(d *Deployment) {
			d.Proxy = proxy.MustNew(proxy.Config{Trusted: []string{"10.0.0.1", "::/0"}, AllowedHosts: []string{"example.com"}})
		}, []string{"tether.W004"}},
		{"no AllowedHosts", func(d *Deployment) { d.Proxy = proxy.MustNew(proxy.Config{Trusted: []string{"10.0.0.0/8"}}) }, []string{"security.W020"}},
		{"no Proxy: no Host check", func(d *Deployment) { d.Proxy = nil }, []string{"security.W020"}},
		{"AllowedHosts *", func(d *Deployment) {
			d.Proxy = proxy.MustNew(proxy.Config{AllowedHosts: []string{"example.com", "*"}})
		}, []string{"tether.W008"}},
		{"AllowedHosts with development hosts is fine", func(d *Deployment) {
			d.Proxy = proxy.MustNew(proxy.Config{AllowedHosts: []string{"example.com", "localhost", "[::1]"}})
		}, nil},
		{"X-Frame-Options omitted", func(d *Deployment) { d.Secure.FrameOptions = secure.Omit }, []string{"security.W002"}},
		{"X-Frame-Options SAMEORIGIN", func(d *Deployment) { d.Secure.FrameOptions = "sameorigin" }, []string{"security.W019"}},
		{"X-Frame-Options DENY spelled out", func(d *Deployment) { d.Secure.FrameOptions = "deny" }, nil},
		{"X-Frame-Options invalid", func(d *Deployment) { d.Secure.FrameOptions = "ALLOW-FROM https://a.example" }, []string{"tether.E001"}},
		{"debug", func(d *Deployment) { d.Debug = true }, []string{"security.W018"}},
		{"no CSRF", func(d *Deployment) { d.CSRF = nil }, []string{"security.W003"}},
		{"CSRF header-only is fine", func(d *Deployment) { d.CSRF.HeaderOnly = true }, nil},
		{"CSRF cookie Secure is automatic", func(d *Deployment) { d.CSRF.Cookie.Secure = false }, nil},
		{"CSRF in the session", func(d *Deployment) { d.CSRF.UseSession = true }, nil},
		{"CSRF in the session without sessions", func(d *Deployment) {
			d.CSRF.UseSession, d.Session = true, nil
		}, []string{"tether.E003"}},
		{"CSRF http origin", func(d *Deployment) {
			d.CSRF.TrustedOrigins = append(d.CSRF.TrustedOrigins, "http://localhost:5173")
		}, []string{"tether.W005"}},
		{"CSRF bad origin", func(d *Deployment) { d.CSRF.TrustedOrigins = []string{"example.com"} }, []string{"tether.E002"}},
		{"CSRF wildcard over a hosting domain", func(d *Deployment) {
			d.CSRF.TrustedOrigins = []string{"https://*.github.io", "https://*.CO.UK:443", "https://*.shop.example", "https://docs.github.io"}
		}, []string{"tether.W009", "tether.W009"}},
	} {
		d := wellConfigured()
		tc.break_(&d)
		ws := Check(d)
		if got := ids(ws); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
		for _, w := range ws {
			if w.Message == "" || w.Hint == "" {
				t.Errorf("%s: %s without message or hint", tc.name, w.ID)
			}
		}
	}
}

func TestWarningFormat(t *testing.T) {
	w := Warning{ID: "security.W004", Message: "HSTS is off.", Hint: "Turn it on."}
	if got := w.String(); got != "?: (security.W004) HSTS is off.\n\tHINT: Turn it on." {
		t.Fatalf("String = %q", got)
	}
	if w.IsError() || !(Warning{ID: "security.E023"}).IsError() || !(Warning{ID: "tether.E001"}).IsError() {
		t.Fatal("IsError wrong")
	}
	if got := (Warning{ID: "tether.W001", Message: "m"}).String(); got != "?: (tether.W001) m" {
		t.Fatalf("String without hint = %q", got)
	}
}

func TestCheckSecretKey(t *testing.T) {
	if ws := CheckSecretKey([]byte(goodKey)); ws != nil {
		t.Fatalf("good key: %v", ws)
	}
	ws := CheckSecretKey([]byte(strings.Repeat("a", 60)))
	if len(ws) != 1 || ws[0].ID != "security.W009" || !strings.Contains(ws[0].Message, "1 distinct") {
		t.Fatalf("got %v", ws)
	}
	// 49 characters is one short.
	if ws := CheckSecretKey([]byte(goodKey[:49])); len(ws) != 1 || !strings.Contains(ws[0].Message, "49 characters") {
		t.Fatalf("got %v", ws)
	}
}

// TestCheckSealing: a server store without a secret key keeps sessions
// in the clear at rest (tether.W010); with one, or in Django mode, not.
func TestCheckSealing(t *testing.T) {
	django, _ := session.NewDjangoCodec([]byte(goodKey))
	for _, tc := range []struct {
		name string
		set  func(m *session.Manager)
		want []string
	}{
		{"clear", func(m *session.Manager) { m.Store = nopStore{} }, []string{"tether.W010"}},
		{"sealed", func(m *session.Manager) { m.Store, m.SecretKey = nopStore{}, []byte(goodKey) }, nil},
		{"django", func(m *session.Manager) { m.Store, m.Codec = nopStore{}, django }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := wellConfigured()
			tc.set(d.Session)
			if got := ids(Check(d)); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

type nopStore struct{}

func (nopStore) Load(context.Context, string) (session.Record, error) {
	return session.Record{}, session.ErrNotFound
}
func (nopStore) Create(context.Context, string, session.Record) (session.Version, error) {
	return 1, nil
}
func (nopStore) Update(context.Context, string, session.Record) (session.Version, error) {
	return 0, session.ErrNotFound
}
func (nopStore) Delete(context.Context, string) error { return nil }

// TestCheckRetiredFallbacks: fallback keys kept past the longest lifetime
// of what they signed should be retired (tether.W011); before that, not.
func TestCheckRetiredFallbacks(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		rotated time.Time
		life    time.Duration
		want    []string
	}{
		{"fresh rotation", now.Add(-24 * time.Hour), 0, nil},
		{"past the session age", now.Add(-15 * 24 * time.Hour), 0, []string{"tether.W011"}},
		{"longer lifetime given", now.Add(-15 * 24 * time.Hour), 30 * 24 * time.Hour, nil},
		{"unknown rotation", time.Time{}, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := wellConfigured()
			d.RotatedAt, d.LongestLifetime, d.Now = tc.rotated, tc.life, func() time.Time { return now }
			if got := ids(Check(d)); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
