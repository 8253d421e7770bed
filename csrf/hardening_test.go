package csrf_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/proxy"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// TestInsecureOriginIsCrossSite: the new reason is a kind of cross-site
// refusal, so failure handlers written for ErrCrossSite keep matching it.
func TestInsecureOriginIsCrossSite(t *testing.T) {
	g, err := csrf.New(csrf.Options{Logger: quiet, AllowSameSite: true, HeaderOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "https://example.com/", nil)
	req.Header.Set("Sec-Fetch-Site", "same-site")
	req.Header.Set("Origin", "http://blog.example.com")
	err = g.Check(req)
	var e *csrf.Error
	if !errors.Is(err, csrf.ErrInsecureOrigin) || !errors.Is(err, csrf.ErrCrossSite) || !errors.As(err, &e) ||
		e.Detail != "Origin checking failed - http://blog.example.com is insecure while host is secure." || e.Fix == "" {
		t.Fatalf("got %v", err)
	}
	if errors.Is(csrf.ErrCrossSite, csrf.ErrInsecureOrigin) {
		t.Fatal("ErrCrossSite matches the finer ErrInsecureOrigin")
	}
}

// TestExemptHostIsPublicHost: an exemption with a host is matched against
// the public host from package proxy, as secure.RedirectExempt is, not
// against r.Host (the proxy's name for the backend).
func TestExemptHostIsPublicHost(t *testing.T) {
	g, err := csrf.New(csrf.Options{Logger: quiet, FailureHandler: recordFailure,
		Exempt: []string{"POST api.example.com/ping"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := proxy.New(proxy.Config{Trusted: []string{"10.0.0.0/8"}})
	if err != nil {
		t.Fatal(err)
	}
	h := p.Middleware(g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	})))
	for _, c := range []struct {
		name, remote, host, fwdHost, want string
	}{
		{"public host from a trusted proxy", "10.1.2.3:4000", "backend:8080", "api.example.com", "accepted"},
		{"public host in capitals with the default port", "10.1.2.3:4000", "backend:8080", "API.Example.com:80", "accepted"},
		{"direct request to the exempt host", "192.0.2.10:5555", "api.example.com", "", "accepted"},
		{"backend named like the exempt host, public host another", "10.1.2.3:4000", "api.example.com", "www.example.com", "no-cookie"},
		{"forwarded host from an untrusted peer", "192.0.2.10:5555", "www.example.com", "api.example.com", "no-cookie"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "http://"+c.host+"/ping", nil)
			req.RemoteAddr = c.remote
			if c.fwdHost != "" {
				req.Header.Set("X-Forwarded-Host", c.fwdHost)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Header().Get("X-Reason")
			if rec.Code == 200 {
				got = "accepted"
			}
			if got != c.want {
				t.Fatalf("got %d %q, want %q", rec.Code, got, c.want)
			}
		})
	}
	// A Host that ServeMux would read as "api.example.com" but package
	// proxy finds invalid gives no public host: no host pattern matches.
	req := httptest.NewRequest("POST", "/ping", nil)
	req.Host = "api.example.com:80!"
	if err := g.Check(req); !errors.Is(err, csrf.ErrNoCookie) {
		t.Fatalf("invalid Host: %v", err)
	}
}

// TestExemptEncodedTraversalDirect checks the rule on hand-made requests
// whose raw path the server would keep: ServeMux itself matches them.
func TestExemptEncodedTraversalDirect(t *testing.T) {
	g, err := csrf.New(csrf.Options{Logger: quiet, Exempt: []string{"/hooks/{id}", "POST /files/{rest...}"}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/hooks/{id}", http.NotFoundHandler())
	mux.Handle("POST /files/{rest...}", http.NotFoundHandler())
	for _, target := range []string{
		"/hooks/a%2F..%2F..%2Fadmin", "/hooks/%2e%2e", "/hooks/%2E", "/hooks/x%5Cadmin",
		"/files/a/%2E%2E/%2E%2E/admin", "/files/a/.%2E/admin", "/files/%2e./admin", "/files/a%2Fb",
	} {
		req := httptest.NewRequest("POST", target, nil)
		if _, pat := mux.Handler(req); pat == "" {
			t.Fatalf("%s: ServeMux does not match it; the case tests nothing", target)
		}
		if err := g.Check(req); !errors.Is(err, csrf.ErrNoCookie) {
			t.Errorf("%s: %v, want it checked (no cookie)", target, err)
		}
	}
	for _, target := range []string{"/hooks/a.b", "/hooks/a%20b", "/files/a/b/c.json", "/files/%41"} {
		if err := g.Check(httptest.NewRequest("POST", target, nil)); err != nil {
			t.Errorf("%s: %v, want exempt", target, err)
		}
	}
}

// sessionSite is a session.Manager over memstore around the guard in
// session mode, and a client that keeps its session cookie.
type sessionSite struct {
	h   http.Handler
	sid string
}

func newSessionSite(t *testing.T, mux *http.ServeMux) *sessionSite {
	t.Helper()
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	m := &session.Manager{Store: store}
	g, err := csrf.New(csrf.Options{Logger: quiet, UseSession: true, FailureHandler: recordFailure})
	if err != nil {
		t.Fatal(err)
	}
	return &sessionSite{h: m.Middleware(g.Protect(mux))}
}

func (s *sessionSite) do(t *testing.T, method, path, tok string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if s.sid != "" {
		req.Header.Set("Cookie", "sessionid="+s.sid)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if tok != "" {
		req.Header.Set("X-CSRFToken", tok)
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "sessionid" {
			s.sid = c.Value
		}
	}
	if rec.Code != 200 {
		return rec.Code, rec.Header().Get("X-Reason")
	}
	return rec.Code, rec.Body.String()
}

// TestSessionTokenSurvivesLaterChanges: with UseSession, a token handed
// out before the handler flushes the session, or drops or overwrites
// "_csrftoken", still verifies on the next request: the secret is put
// back just before the response goes out, before the session is saved.
func TestSessionTokenSurvivesLaterChanges(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, csrf.Token(r)) })
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("GET /token-then-flush", func(w http.ResponseWriter, r *http.Request) {
		tok := csrf.Token(r)
		if err := session.From(r).Flush(); err != nil {
			t.Error(err)
		}
		io.WriteString(w, tok)
	})
	mux.HandleFunc("GET /token-then-flush-streamed", func(w http.ResponseWriter, r *http.Request) {
		tok := csrf.Token(r)
		if err := session.From(r).Flush(); err != nil {
			t.Error(err)
		}
		w.WriteHeader(200) // the hook runs here, not at the end
		io.WriteString(w, tok)
	})
	mux.HandleFunc("GET /token-then-delete", func(w http.ResponseWriter, r *http.Request) {
		tok := csrf.Token(r)
		if err := session.From(r).Delete(csrf.SessionKey); err != nil {
			t.Error(err)
		}
		io.WriteString(w, tok)
	})
	mux.HandleFunc("GET /token-then-overwrite", func(w http.ResponseWriter, r *http.Request) {
		tok := csrf.Token(r)
		if err := session.From(r).Set(csrf.SessionKey, strings.Repeat("b", csrf.SecretLength)); err != nil {
			t.Error(err)
		}
		io.WriteString(w, tok)
	})
	mux.HandleFunc("GET /token-then-rotate", func(w http.ResponseWriter, r *http.Request) {
		old := csrf.Token(r)
		if err := csrf.Rotate(r); err != nil {
			t.Error(err)
		}
		if err := session.From(r).Flush(); err != nil {
			t.Error(err)
		}
		io.WriteString(w, old+" "+csrf.Token(r))
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if err := session.From(r).Flush(); err != nil {
			t.Error(err)
		}
		io.WriteString(w, "bye")
	})

	for _, path := range []string{"/token-then-flush", "/token-then-flush-streamed", "/token-then-delete", "/token-then-overwrite"} {
		t.Run(path, func(t *testing.T) {
			s := newSessionSite(t, mux)
			// A client with a session and a secret already, and one without.
			for _, warm := range []bool{true, false} {
				s.sid = ""
				if warm {
					s.do(t, "GET", "/form", "")
				}
				code, tok := s.do(t, "GET", path, "")
				if code != 200 || len(tok) != csrf.TokenLength {
					t.Fatalf("warm %v: GET %s: %d %q", warm, path, code, tok)
				}
				if code, body := s.do(t, "POST", "/submit", tok); code != 200 {
					t.Fatalf("warm %v: the token of %s does not verify: %d %s", warm, path, code, body)
				}
			}
		})
	}

	t.Run("rotate after the token", func(t *testing.T) {
		s := newSessionSite(t, mux)
		s.do(t, "GET", "/form", "")
		_, both := s.do(t, "GET", "/token-then-rotate", "")
		old, fresh, _ := strings.Cut(both, " ")
		if code, _ := s.do(t, "POST", "/submit", old); code != 403 {
			t.Fatalf("token made before the rotation: %d", code)
		}
		if code, body := s.do(t, "POST", "/submit", fresh); code != 200 {
			t.Fatalf("token made after the rotation: %d %s", code, body)
		}
	})

	// A flush with no token handed out in the request (a logout whose
	// page has no form) keeps nothing: the old secret is gone.
	t.Run("flush without a token", func(t *testing.T) {
		s := newSessionSite(t, mux)
		_, tok := s.do(t, "GET", "/form", "")
		if code, _ := s.do(t, "POST", "/logout", tok); code != 200 {
			t.Fatalf("logout: %d", code)
		}
		if code, reason := s.do(t, "POST", "/submit", tok); code != 403 || reason != "no-cookie" {
			t.Fatalf("token of the flushed session: %d %s", code, reason)
		}
	})
}

// TestSessionSecretNotRewritten: the hook leaves alone a session that
// already holds the secret, bare or masked (as Django 3.2 stores it), so
// a page that renders a form does not make the session save.
func TestSessionSecretNotRewritten(t *testing.T) {
	secret := strings.Repeat("a", csrf.SecretLength)
	for name, stored := range map[string]string{"bare": secret, "masked": strings.Repeat("b", 64)} {
		t.Run(name, func(t *testing.T) {
			store := memstore.New()
			defer store.Close()
			m := &session.Manager{Store: store}
			g, err := csrf.New(csrf.Options{Logger: quiet, UseSession: true})
			if err != nil {
				t.Fatal(err)
			}
			var modified bool
			mux := http.NewServeMux()
			mux.HandleFunc("GET /seed", func(w http.ResponseWriter, r *http.Request) {
				session.From(r).Set(csrf.SessionKey, stored)
			})
			mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, csrf.Token(r)) })
			probe := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					next.ServeHTTP(w, r)
					modified = session.From(r).Modified()
				})
			}
			h := m.Middleware(probe(g.Protect(mux)))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/seed", nil))
			sid := rec.Result().Cookies()[0].Value
			req := httptest.NewRequest("GET", "/form", nil)
			req.Header.Set("Cookie", "sessionid="+sid)
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 || len(rec.Body.String()) != csrf.TokenLength || modified {
				t.Fatalf("%d %q, session modified %v", rec.Code, rec.Body.String(), modified)
			}
		})
	}
}

// TestHostPrefixedCookieOverTLS: Options.CookieName "__Host-csrftoken"
// works end to end over HTTPS: the cookie is written Secure, Path=/ and
// without Domain (what browsers require of the prefix), a cookie jar
// sends it back, and a tossed "csrftoken" cookie of another secret is
// ignored.
func TestHostPrefixedCookieOverTLS(t *testing.T) {
	const name = "__Host-csrftoken"
	g, err := csrf.New(csrf.Options{Logger: quiet, CookieName: name, FailureHandler: recordFailure})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(g.Protect(app()))
	defer srv.Close()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	c.Jar = jar

	res, err := c.Get(srv.URL + "/form")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	tok := string(body)
	raw := res.Header.Values("Set-Cookie")
	if len(raw) != 1 || !strings.HasPrefix(raw[0], name+"=") || !strings.Contains(raw[0], "; Secure") ||
		!strings.Contains(raw[0], "; Path=/") || strings.Contains(strings.ToLower(raw[0]), "domain=") {
		t.Fatalf("Set-Cookie %q", raw)
	}
	secret := res.Cookies()[0].Value
	if len(secret) != csrf.SecretLength || len(tok) != csrf.TokenLength {
		t.Fatalf("cookie %q, token %q", secret, tok)
	}

	post := func(tok string, extraCookie string) (int, string) {
		req, _ := http.NewRequest("POST", srv.URL+"/submit", nil)
		req.Header.Set("Origin", srv.URL)
		req.Header.Set("X-CSRFToken", tok)
		if extraCookie != "" {
			req.Header.Set("Cookie", extraCookie) // the jar adds its own after it
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, res.Header.Get("X-Reason")
	}
	// The form's token, and the cookie's value as JavaScript reading
	// document.cookie under the full name would send it.
	for _, tk := range []string{tok, secret} {
		if code, reason := post(tk, ""); code != 200 {
			t.Fatalf("POST with the cookie from the jar: %d %s", code, reason)
		}
	}
	// A sibling subdomain tosses "csrftoken" with its own secret: it is
	// not the cookie the guard reads.
	tossed := strings.Repeat("x", csrf.SecretLength)
	if code, reason := post(tossed, "csrftoken="+tossed); code != 403 || reason != "bad-token" {
		t.Fatalf("token of a tossed csrftoken cookie: %d %s", code, reason)
	}
	if code, reason := post(tok, "csrftoken="+tossed); code != 200 {
		t.Fatalf("real token beside a tossed cookie: %d %s", code, reason)
	}
}
