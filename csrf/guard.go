package csrf

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/tetherweb/tether/cookie"
	"github.com/tetherweb/tether/internal/logval"
	"github.com/tetherweb/tether/proxy"
	"github.com/tetherweb/tether/session"
)

// Guard is a configured CSRF check, made by New. It is immutable and safe
// for concurrent use.
type Guard struct {
	cookieName    string
	cookie        cookie.Options
	maskCookie    bool
	useSession    bool
	headerKey     string // canonical header key, "X-Csrftoken"
	headerName    string // as configured, "X-CSRFToken"
	fieldName     string
	maxFormBytes  int64
	origins       origins
	allowSameSite bool
	loopbackDev   bool // the development rule (not StrictLoopback)
	headerOnly    bool
	exempt        *http.ServeMux
	exemptHosts   bool // some Exempt pattern names a host
	fail          func(w http.ResponseWriter, r *http.Request, err error)
	logger        *slog.Logger
}

// New validates o and returns its Guard. Every trusted origin, exemption
// pattern and cookie setting is checked here, so that a mistake stops the
// program at start-up rather than letting requests through or refusing
// them all.
func New(o Options) (*Guard, error) {
	g := withDefaults(o)
	var err error
	if g.headerKey, err = headerKey(o.HeaderName); err != nil {
		return nil, err
	}
	g.headerName = cmp.Or(o.HeaderName, DefaultHeaderName)
	if err := g.checkSecretStorage(); err != nil {
		return nil, err
	}
	if g.origins, err = parseTrustedOrigins(o.TrustedOrigins); err != nil {
		return nil, err
	}
	if err := g.setExempt(o.Exempt); err != nil {
		return nil, err
	}
	return g, nil
}

// withDefaults returns the Guard of o's plain settings, each default
// filled in: the names, the form limit, the failure handler, the logger and
// the cookie's options.
func withDefaults(o Options) *Guard {
	g := &Guard{
		cookieName:    cmp.Or(o.CookieName, DefaultCookieName),
		cookie:        cookieOptions(o),
		maskCookie:    o.MaskCookie,
		useSession:    o.UseSession,
		fieldName:     cmp.Or(o.FieldName, DefaultFieldName),
		maxFormBytes:  o.MaxFormBytes,
		allowSameSite: o.AllowSameSite,
		loopbackDev:   !o.StrictLoopback,
		headerOnly:    o.HeaderOnly,
		fail:          o.FailureHandler,
		logger:        o.Logger,
	}
	if g.maxFormBytes <= 0 {
		g.maxFormBytes = DefaultMaxFormBytes
	}
	if g.fail == nil {
		g.fail = DefaultFailureHandler
	}
	if g.logger == nil {
		g.logger = slog.Default()
	}
	return g
}

// cookieOptions returns the CSRF cookie's options: o.Cookie, readable by
// scripts (the token is meant to be read), with o.CookieMaxAge's lifetime
// (0 for the default, negative for a browser-session cookie).
func cookieOptions(o Options) cookie.Options {
	c := o.Cookie
	c.ScriptReadable = true
	switch {
	case o.CookieMaxAge == 0:
		c.MaxAge = DefaultCookieMaxAge
	case o.CookieMaxAge < 0:
		c.MaxAge = 0
	default:
		c.MaxAge = o.CookieMaxAge
	}
	return c
}

// headerKey validates the token header's name (DefaultHeaderName when
// empty) and returns its canonical key.
func headerKey(name string) (string, error) {
	name = cmp.Or(name, DefaultHeaderName)
	if !validHeaderName(name) {
		return "", fmt.Errorf("csrf: invalid HeaderName %q", name)
	}
	return textproto.CanonicalMIMEHeaderKey(name), nil
}

// checkSecretStorage checks where the secret is kept: HeaderOnly keeps
// none, so UseSession contradicts it; in the cookie, the cookie's
// settings must be ones package cookie accepts.
func (g *Guard) checkSecretStorage() error {
	if g.headerOnly && g.useSession {
		return errors.New("csrf: HeaderOnly and UseSession both set; HeaderOnly keeps no secret")
	}
	if !g.headerOnly && !g.useSession {
		if _, err := cookie.New(g.cookieName, strings.Repeat("a", TokenLength), g.cookie); err != nil {
			return fmt.Errorf("csrf: cookie settings: %w", err)
		}
	}
	return nil
}

// parseTrustedOrigins validates Options.TrustedOrigins and sorts them into
// exact origins and "*." wildcards.
func parseTrustedOrigins(list []string) (origins, error) {
	o := origins{exact: map[string]struct{}{}}
	for _, s := range list {
		canon, w, err := parseTrustedOrigin(s)
		if err != nil {
			return origins{}, err
		}
		if w != nil {
			o.wild = append(o.wild, *w)
		} else {
			o.exact[canon] = struct{}{}
		}
	}
	return o, nil
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Protect is New followed by Guard.Protect: the one-call form.
//
//	protect, err := csrf.Protect(csrf.Options{TrustedOrigins: []string{"https://admin.example.com"}})
//	if err != nil { log.Fatal(err) }
//	http.ListenAndServe(":8000", protect(mux))
func Protect(o Options) (func(http.Handler) http.Handler, error) {
	g, err := New(o)
	if err != nil {
		return nil, err
	}
	return g.Protect, nil
}

// safeMethod reports the methods that are never checked: GET, HEAD,
// OPTIONS and TRACE (RFC 9110's safe methods, as Django lists them). The
// match is exact: methods are case-sensitive, so "get" is checked like
// any other unsafe method. The application must not change state on these
// methods.
func safeMethod(m string) bool {
	switch m {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return true
	}
	return false
}

// Protect returns next guarded: unsafe requests that fail Check are
// answered by the failure handler (a 403 by default) and never reach
// next; every request gets the state Token, TemplateField and Rotate use.
//
// Put it outside the application's router (its exemptions are matched on
// their own ServeMux, since r.Pattern is not known yet), inside proxy's
// middleware (so that the public origin is known) and, with UseSession,
// inside the session middleware:
//
//	proxy.Middleware(sessions.Middleware(guard.Protect(mux)))
//
// A safe request costs one allocation for the state (which is also the
// request's new context), the copy of the request that carries it, and,
// unless HeaderOnly, the response-writer wrapper's hook; it reads no
// cookie until Token is called.
func (g *Guard) Protect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &state{Context: r.Context(), g: g}
		r = r.WithContext(st)
		st.r = r
		// The hook runs just before the headers go out: in cookie mode it
		// sends the cookie; with UseSession it puts back a secret the
		// handler's session changes dropped (see state.before). Inside
		// the session middleware, it runs before the session is saved.
		hooked := !g.headerOnly
		if hooked {
			st.hw.ResponseWriter = w
			st.hw.Before = st.before
			w = &st.hw
		}
		if !safeMethod(r.Method) {
			if err := g.check(w, r, st); err != nil {
				g.refuse(w, r, err)
				if hooked {
					st.hw.Finish()
				}
				return
			}
		}
		next.ServeHTTP(w, r)
		if hooked {
			st.hw.Finish()
		}
	})
}

// Check decides on r without the middleware, for frameworks that want to
// call it themselves: nil for a safe method, an exempt request or one
// that passes both layers; an *Error (errors.Is tells the reason) for a
// refusal; any other error is a configuration or session-store failure,
// not the client's fault. Like the middleware, it may read a form body to
// find the token (parsing it into r.PostForm, so the handler can still
// read the form). Outside Protect, Token and Rotate are not available:
// with Check alone the application must set the cookie itself.
func (g *Guard) Check(r *http.Request) error {
	if safeMethod(r.Method) {
		return nil
	}
	if st := stateFrom(r); st != nil && st.g == g {
		return g.check(nil, r, st)
	}
	st := &state{g: g, r: r}
	return g.check(nil, r, st)
}

// check runs, for an unsafe request: the exemptions, the browser layer,
// then the token layer.
func (g *Guard) check(w http.ResponseWriter, r *http.Request, st *state) error {
	info := proxy.From(r)
	if g.exempt != nil && g.isExempt(r, info.Host) {
		return nil
	}
	if err := g.checkHeaders(r, &info); err != nil {
		return err
	}
	if g.headerOnly {
		return nil
	}
	return g.checkToken(w, r, st)
}

// refuse logs a refusal and hands it to the failure handler. Errors that
// are not refusals (no session middleware, a session store down) are
// logged as errors and answered 500 or 503, as session's error handler
// would.
func (g *Guard) refuse(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if errors.As(err, &e) {
		// The reason and the fix quote request values, each cut to
		// logval.Budget where they are made.
		g.logger.LogAttrs(r.Context(), slog.LevelWarn, "csrf: forbidden",
			slog.String("event", EventForbidden), slog.String("code", reasonCode(e.Reason)),
			slog.String("reason", strconv.Quote(e.Detail)), logval.String("method", r.Method),
			logval.String("path", r.URL.Path), slog.String("fix", strconv.Quote(e.Fix)))
		g.fail(w, r, err)
		return
	}
	g.logger.LogAttrs(r.Context(), slog.LevelError, "csrf: cannot check the request",
		logval.Error(err), logval.String("method", r.Method), logval.String("path", r.URL.Path))
	code := session.StatusFor(err)
	http.Error(w, http.StatusText(code), code)
}
