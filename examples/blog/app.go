package main

import (
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/tetherweb/tether/cookie"
	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/proxy"
	"github.com/tetherweb/tether/secure"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/dsn"
)

//go:embed templates static
var assets embed.FS

// config is what main's flags decide.
type config struct {
	SecretKey []byte
	Secure    bool   // Secure cookies (the site is served over HTTPS)
	Messages  string // fallback, session or cookie
	Django    bool   // Django-compatible formats
	// TrustedProxies and AllowedHosts are the proxy setting: the reverse
	// proxies whose X-Forwarded-* headers are believed, and the host
	// names served (others get 400; empty: no check).
	TrustedProxies []string
	AllowedHosts   []string
	Logger         *slog.Logger
}

// app holds what the handlers share.
type app struct {
	db     *db
	cfg    config
	pages  map[string]*pageTemplate
	logger *slog.Logger
	// sessions lists and revokes the user's sessions (devices.go).
	sessions *session.Manager
}

// newApp wires the routes behind tether's middleware, outermost first:
// the proxy setting (HTTPS? which host?), security headers, sessions,
// messages (kept in the session or a cookie), CSRF protection, then the
// router.
func newApp(store *dsn.Opened, data *db, cfg config) (http.Handler, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	// The proxy setting is outermost: everything inside asks it whether
	// the request is HTTPS and what the site's origin is.
	proxies, err := proxy.New(proxy.Config{Trusted: cfg.TrustedProxies, AllowedHosts: cfg.AllowedHosts, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	pages, err := loadPages()
	if err != nil {
		return nil, err
	}
	a := &app{db: data, cfg: cfg, pages: pages, logger: cfg.Logger}

	// SecretKey seals the records at rest (ignored in Django mode, whose
	// rows Django must read).
	sessions := &session.Manager{Logger: cfg.Logger, SecretKey: cfg.SecretKey}
	store.Configure(sessions)
	sessions.Cookie.Secure = cfg.Secure
	trackDevices(sessions, store, store.Django || cfg.Django)
	a.sessions = sessions
	if store.Django || cfg.Django {
		if !store.Django {
			return nil, fmt.Errorf("blog: -django needs a SQL store on Django's table")
		}
		codec, err := session.NewDjangoCodec(cfg.SecretKey)
		if err != nil {
			return nil, err
		}
		sessions.Codec = codec
	}

	flashes, err := newMessages(cfg)
	if err != nil {
		return nil, err
	}

	// With -django the csrftoken cookie holds a masked token, as Django
	// 3.2 and 4.0 write it (4.1+ and tether's default store the bare
	// secret; both forms are read either way).
	guard, err := csrf.New(csrf.Options{
		Cookie:     cookie.Options{Secure: cfg.Secure},
		MaskCookie: cfg.Django,
		Logger:     cfg.Logger,
	})
	if err != nil {
		return nil, err
	}

	headers, err := secure.New(secure.Options{})
	if err != nil {
		return nil, err
	}

	static, _ := fs.Sub(assets, "static")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.index)
	mux.HandleFunc("GET /posts/new", a.newPostForm)
	mux.HandleFunc("POST /posts/new", a.createPost)
	mux.HandleFunc("GET /posts/create", a.createPostForm)
	mux.HandleFunc("POST /posts/create", a.createPostView)
	mux.HandleFunc("GET /posts/{id}", a.showPost)
	mux.HandleFunc("POST /api/posts", a.apiCreatePost)
	mux.HandleFunc("GET /visits", a.visits)
	mux.HandleFunc("GET /products", a.products)
	mux.HandleFunc("POST /cart/add/{product_id}", a.cartAdd)
	mux.HandleFunc("GET /cart", a.cart)
	mux.HandleFunc("GET /api/cart", a.apiCart)
	mux.HandleFunc("GET /login", a.loginForm)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("POST /logout", a.logout)
	a.deviceRoutes(mux)
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServerFS(staticFS{static}))))

	return proxies.Middleware(headers.Middleware(sessions.Middleware(flashes.Middleware(guard.Protect(mux))))), nil
}

// newMessages configures the messages storage the -messages flag names.
// With -django the session form of the messages is Django's too (the
// cookie is always in Django's format).
func newMessages(cfg config) (*messages.Manager, error) {
	// HTMX: the messages a response to an htmx request does not render
	// go out in HX-Trigger, which static/app.js shows as toasts.
	m := &messages.Manager{Logger: cfg.Logger, HTMX: &messages.HTMX{}}
	switch cfg.Messages {
	case "", "fallback":
		s := messages.NewFallbackStorage(cfg.SecretKey)
		s.Cookie.Options.Secure = cfg.Secure
		s.Session.Django = cfg.Django
		m.Storage = s
	case "cookie":
		s := messages.NewCookieStorage(cfg.SecretKey)
		s.Options.Secure = cfg.Secure
		m.Storage = s
	case "session":
		m.Storage = &messages.SessionStorage{Django: cfg.Django}
	default:
		return nil, fmt.Errorf("blog: -messages %q: want fallback, session or cookie", cfg.Messages)
	}
	return m, nil
}

// staticFS serves the static files. A name that is no valid fs path (the
// percent-decoded path is not UTF-8, as in /static/%ff or the overlong
// /static/%c0%ae%c0%ae/) makes fs.Sub's Open fail with fs.ErrInvalid,
// which http.FileServerFS answers 500; for a client's malformed path the
// answer is 404, so such names are reported as not existing.
type staticFS struct{ fs.FS }

// Open opens name, or fails with fs.ErrNotExist when name is invalid.
func (s staticFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return s.FS.Open(name)
}

// cacheFor lets browsers keep static files for d.
func cacheFor(d time.Duration, h http.Handler) http.Handler {
	v := fmt.Sprintf("public, max-age=%d", int(d.Seconds()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", v)
		h.ServeHTTP(w, r)
	})
}
