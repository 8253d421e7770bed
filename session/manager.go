package session

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetherweb/tether/cookie"
	"github.com/tetherweb/tether/internal/ratelog"
)

// Defaults of a Manager, Django's.
const (
	DefaultCookieName = "sessionid"
	DefaultMaxAge     = 14 * 24 * time.Hour
	DefaultMaxRetries = 20
	// DefaultCommitTimeout bounds the store calls of one save.
	DefaultCommitTimeout = 10 * time.Second
	// DefaultStoreTimeout bounds each single store call.
	DefaultStoreTimeout = time.Second
)

// Manager loads and saves sessions for the handlers it wraps. Set its fields
// before calling Middleware and do not change them afterwards; a Manager is
// then safe for concurrent use by any number of requests.
//
// Either Store (records kept on the server) or CookieStore (the whole
// session sealed into the cookie) must be set, not both. Every other field
// is optional; the zero values give Django's defaults:
// a "sessionid" cookie that lasts two weeks, Path=/, HttpOnly,
// SameSite=Lax, JSON records, sessions written only when they change.
type Manager struct {
	// Store keeps the records on the server (memstore, sqlstore,
	// redisstore, ...). Set it or CookieStore.
	Store Store
	// CookieStore keeps the whole session in the cookie instead
	// (store/cookiestore). Set it or Store.
	CookieStore CookieStore

	// CookieName is the name of the session cookie (default "sessionid").
	// On HTTPS sites consider "__Host-sessionid": browsers then refuse a
	// cookie of that name set by a sibling subdomain or for a narrower
	// path, which could otherwise shadow the real one (the first cookie
	// of the name in the request is used, as net/http does).
	CookieName string
	// Cookie holds the cookie's attributes (Path, Domain, Secure,
	// SameSite, ScriptReadable). Its MaxAge is ignored: the cookie's
	// lifetime follows the session's expiry. The cookie is Secure on every
	// request that came over HTTPS (proxy.IsHTTPS) even when Secure is
	// off; set Secure to keep it off plain HTTP altogether.
	Cookie cookie.Options
	// MaxAge is how long a session lives after its last save (default two
	// weeks, Django's SESSION_COOKIE_AGE). Records expire on the server at
	// the same time, whatever the client's cookie says.
	MaxAge time.Duration
	// ExpireAtBrowserClose makes session cookies end with the browser
	// (Django's SESSION_EXPIRE_AT_BROWSER_CLOSE); the record still expires
	// after MaxAge. A session's own SetExpiry overrides it.
	ExpireAtBrowserClose bool
	// SaveEveryRequest saves every existing session on every request,
	// extending its expiry, even when unchanged.
	SaveEveryRequest bool
	// Codec encodes records (default JSONCodec).
	Codec Codec
	// SecretKey, when set, seals every record at rest: the Store receives
	// the codec's bytes encrypted with XChaCha20-Poly1305 under a key
	// derived from SecretKey and bound to the record's hashed key, so a
	// leaked table, Redis dump, memcached item, session file or backup
	// reveals neither the values nor the key, and a blob copied under
	// another key does not open. A record that does not open (another
	// key's blob, truncated, sealed with an unknown secret) is a fresh
	// session, and is logged. Set it (the demo and the CLI do); it is
	// ignored with a DjangoCodec, whose rows Django must read, and with a
	// CookieStore, which seals or signs the cookie itself.
	SecretKey []byte
	// FallbackKeys are former secret keys: records sealed with them still
	// open, and are sealed with SecretKey on their next write.
	FallbackKeys [][]byte
	// ErrorHandler answers requests whose session failed to load or save
	// (default DefaultErrorHandler).
	ErrorHandler ErrorHandler
	// Logger receives store failures, rejected records and conflicts
	// (default slog.Default()).
	Logger *slog.Logger
	// MaxRetries bounds how many times a commit is re-applied on a fresh
	// copy of the record when concurrent requests changed it (default 20).
	MaxRetries int
	// CommitTimeout bounds the store calls that save a session (default
	// 10 s). They do not stop when the client disconnects: a logout or a
	// write the handler made is carried out even if nobody reads the
	// response.
	CommitTimeout time.Duration
	// IdleTimeout, when positive, ends a session unused for that long,
	// beside its absolute lifetime (MaxAge): its record is deleted and the
	// request starts a fresh session. The last use is kept in the session
	// (key "_tether_seen") and refreshed at most once per IdleRefresh, so
	// read-only requests do not write on every request; a session can
	// therefore end up to IdleRefresh earlier than IdleTimeout after its
	// very last use.
	IdleTimeout time.Duration
	// IdleRefresh is how often the last use is written (default a tenth
	// of IdleTimeout, at least a second).
	IdleRefresh time.Duration
	// StoreTimeout bounds each call the Manager makes to its Store (a
	// Load, Create, Update or Delete; default 1 s). A call still waiting
	// then fails as ErrUnavailable, so a hung backend answers 503 within
	// the bound instead of holding the request: a load fails after at
	// most StoreTimeout, and a save after at most CommitTimeout.
	StoreTimeout time.Duration
	// Users, when set, keeps a per-user index of the sessions linked to a
	// user with Session.SetUser, for SessionsOf, Revoke and RevokeUser
	// ("sign out everywhere else"). It needs SecretKey, a server Store and
	// the JSON codec.
	Users *UserIndex
	// RecordClient makes SetUser record the request's user agent and
	// client address (as package proxy resolves it) in the session, for
	// SessionsOf's listings. Both are personal data: they are sealed at
	// rest with the rest of the session.
	RecordClient bool
	// Metrics, when set, receives every store call and every event (see
	// Metrics; package integrations/otel adapts it to OpenTelemetry).
	Metrics Metrics
	// Now replaces time.Now (tests).
	Now func() time.Time

	once    sync.Once
	backend backend // serverBackend (Store) or cookieBackend (CookieStore)
	sealer  *sealer // seals records at rest (SecretKey); nil: records in the clear
	// indexSecrets derive per-user index keys: from SecretKey first, then
	// from each of the FallbackKeys (indexes made before a rotation).
	indexSecrets [][]byte
	failures     ratelog.Limiter // commit failures, logged sparingly
	failing      atomic.Bool     // some failure run is open

	local       bool // the Store never blocks: its calls need no StoreTimeout
	localExpiry bool // local, and Now is time.Now: Load's expiry check is the Manager's
}

func (m *Manager) init() {
	m.once.Do(func() {
		switch {
		case m.Store == nil && m.CookieStore == nil:
			panic("session: Manager has neither a Store nor a CookieStore")
		case m.Store != nil && m.CookieStore != nil:
			panic("session: Manager has both a Store and a CookieStore; set one")
		}
		if m.CookieName == "" {
			m.CookieName = DefaultCookieName
		}
		if m.MaxAge <= 0 {
			m.MaxAge = DefaultMaxAge
		}
		if m.Codec == nil {
			m.Codec = JSONCodec{}
		}
		if m.ErrorHandler == nil {
			m.ErrorHandler = DefaultErrorHandler
		}
		if m.Logger == nil {
			m.Logger = slog.Default()
		}
		if m.MaxRetries <= 0 {
			m.MaxRetries = DefaultMaxRetries
		}
		if m.CommitTimeout <= 0 {
			m.CommitTimeout = DefaultCommitTimeout
		}
		if m.StoreTimeout <= 0 {
			m.StoreTimeout = DefaultStoreTimeout
		}
		realClock := m.Now == nil
		if realClock {
			m.Now = time.Now
		}
		m.Cookie.MaxAge = 0
		m.failures.Logger = m.Logger
		m.failures.Now = m.Now
		if m.CookieStore != nil {
			m.backend = &cookieBackend{m: m, store: m.CookieStore}
		} else {
			m.backend = &serverBackend{m: m, store: m.Store, locks: newKeyLocks()}
			if l, ok := m.Store.(Local); ok {
				m.local = l.Local()
				m.localExpiry = m.local && realClock
			}
			if _, django := m.Codec.(*DjangoCodec); len(m.SecretKey) > 0 && !django {
				sl, err := newSealer(m.SecretKey, m.FallbackKeys)
				if err != nil {
					panic(err.Error())
				}
				m.sealer = sl
				for _, k := range append([][]byte{m.SecretKey}, m.FallbackKeys...) {
					mac := hmac.New(sha256.New, k)
					mac.Write([]byte("tether.session.user-index-key"))
					m.indexSecrets = append(m.indexSecrets, mac.Sum(nil))
				}
			}
		}
		if _, err := cookie.New(m.CookieName, NewKey(), m.Cookie); err != nil {
			panic(fmt.Sprintf("session: bad cookie settings: %v", err))
		}
	})
}

// Middleware returns a handler that gives next's requests a Session (see
// From) and saves it before the response's headers are written: when next
// calls WriteHeader, Write, Flush, ReadFrom or Hijack, or returns without
// writing. A request that never touches its session costs no store call; a
// session that is only read costs one Load and no write.
//
// When the session cannot be loaded or saved, the response next was about
// to send is replaced by the ErrorHandler's, and next's further writes are
// discarded (they return an error). Nothing is saved when next answers with
// a 5xx status or panics.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	m.init()
	return &middleware{m: m, next: next}
}

// middleware is the handler Middleware returns. It is a type of its own,
// not a closure, so that ServeHTTP is always compiled here: a closure
// inlined into a caller's package can lose the escape analysis that keeps
// r.WithContext's copy off the heap (TestReadOnlyAllocations).
type middleware struct {
	m    *Manager
	next http.Handler
}

// ServeHTTP serves r through next with a Session (see Middleware).
func (h *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := h.m
	rw := &responseWriter{ResponseWriter: w}
	s := &rw.sess
	s.m = m
	s.ctx = r.Context()
	rw.ctx = sessionContext{Context: r.Context(), s: s}
	// What r.WithContext makes, in rw's allocation: WithContext is
	// inlined here, and its own copy does not escape.
	rw.req = *r.WithContext(&rw.ctx)
	s.req = &rw.req
	if v, ok := cookie.Value(r, m.CookieName); ok {
		m.backend.open(s, v)
	}
	h.next.ServeHTTP(rw, &rw.req)
	rw.finish()
}
