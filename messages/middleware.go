package messages

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/tetherweb/tether/internal/hookwriter"
	"github.com/tetherweb/tether/internal/logval"
	"github.com/tetherweb/tether/internal/vary"
	"github.com/tetherweb/tether/session"
)

// Manager adds a message storage to the requests of the handlers it wraps
// and stores the messages before each response's headers go out. Set its
// fields before calling Middleware and do not change them afterwards; a
// Manager is then safe for concurrent use by any number of requests.
//
// The zero Manager works: messages in the session (SessionStorage, which
// needs session.Manager's middleware around this one), debug messages
// dropped, Django's level tags, logging to slog.Default(). Sites with a
// secret key should use NewFallbackStorage, Django's default, which costs no
// session write for the usual few short messages.
type Manager struct {
	// Storage keeps the messages between requests (default: a
	// SessionStorage with its defaults).
	Storage Storage
	// MinLevel is the lowest level stored; Add ignores messages below it
	// (Django's MESSAGE_LEVEL). Zero means DefaultMinLevel (LevelInfo).
	MinLevel Level
	// Tags are merged over DefaultTags (Django's MESSAGE_TAGS): an entry
	// replaces the tag of its level, adds one for a custom level, or with
	// "" removes one.
	Tags map[Level]string
	// Logger receives rejected cookies, dropped messages and
	// misconfigurations (default slog.Default()).
	Logger *slog.Logger
	// HTMX, when set, delivers the messages a response to an htmx request
	// leaves unread in its HX-Trigger header (see HTMX; off by default).
	HTMX *HTMX

	once      sync.Once
	htmxEvent string
	htmxMax   int
	tags      map[Level]string
	minLevel  Level
	warned    sync.Once // ErrNoSession is logged once per Manager
}

// defaultManager backs the package-level Middleware.
var defaultManager Manager

// Middleware wraps next with a zero Manager: messages kept in the session,
// so it must be inside session.Manager's middleware.
func Middleware(next http.Handler) http.Handler { return defaultManager.Middleware(next) }

// init fills in the defaults once. A storage that is misconfigured (a cookie
// storage without a key, a bad cookie name) panics: that is a programming
// error found when the handler is built, not a request failure.
func (m *Manager) init() {
	m.once.Do(func() {
		if m.Storage == nil {
			m.Storage = &SessionStorage{}
		}
		if m.Logger == nil {
			m.Logger = slog.Default()
		}
		m.minLevel = m.MinLevel
		if m.minLevel == 0 {
			m.minLevel = DefaultMinLevel
		}
		m.tags = DefaultTags()
		for l, t := range m.Tags {
			m.tags[l] = t
		}
		if m.HTMX != nil {
			m.htmxEvent, m.htmxMax = m.HTMX.Event, m.HTMX.MaxBytes
			if m.htmxEvent == "" {
				m.htmxEvent = DefaultHTMXEvent
			}
			if m.htmxMax <= 0 {
				m.htmxMax = DefaultHTMXMaxBytes
			}
		}
		if err := m.Storage.init(); err != nil {
			panic(err.Error())
		}
	})
}

// message builds a message with its level tag resolved.
func (m *Manager) message(level Level, text, extraTags string, safe bool) Message {
	return Message{level: level, text: text, extraTags: extraTags, levelTag: m.tags[level], safe: safe}
}

// retag resolves the level tags of decoded messages.
func (m *Manager) retag(msgs []Message) {
	for i := range msgs {
		msgs[i].levelTag = m.tags[msgs[i].level]
	}
}

// Middleware returns a handler that gives next's requests a message storage
// (see Add and Get) and stores the messages just before the response's
// headers are written: when next calls WriteHeader, Write, Flush, ReadFrom
// or Hijack, or returns without writing. Nothing is stored when next
// panics or answers with a 5xx status, and nothing is written at all (no
// cookie, no session change) for a request that neither read nor added
// messages.
//
// A storage that uses the session needs session.Manager's middleware
// outside this one; without it, Add returns ErrNoSession and the problem is
// logged.
//
// Middleware panics when the Storage is misconfigured (a cookie storage
// without a key).
func (m *Manager) Middleware(next http.Handler) http.Handler {
	m.init()
	needSession := m.Storage.needsSession()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &state{Context: r.Context(), m: m, w: w}
		if needSession {
			st.sess = session.From(r)
			st.noSession = st.sess == nil
		}
		r = r.WithContext(st)
		st.r = r
		st.hw.ResponseWriter = w
		st.hw.Before = st.commit
		next.ServeHTTP(&st.hw, r)
		st.hw.Finish()
	})
}

type contextKey struct{}

// from returns the request's state, or nil without the middleware.
func from(r *http.Request) *state {
	st, _ := r.Context().Value(contextKey{}).(*state)
	return st
}

// state is one request's messages. It is also the request's context: the
// parent context with the state under contextKey, which saves the
// middleware an allocation per request.
type state struct {
	context.Context // the request's context before the middleware

	mu sync.Mutex
	m  *Manager
	r  *http.Request
	w  http.ResponseWriter // the writer the middleware got
	hw hookwriter.Writer

	sess      *session.Session
	noSession bool // the storage needs a session and there is none

	loaded    bool
	msgs      []Message // loaded messages (and, once read, the queued ones)
	queued    []Message // added and not read yet
	used      bool      // the messages were read
	dirty     bool      // a bad stored value must be removed
	committed bool      // the hook ran

	cookieSent bool      // the request carried a messages cookie
	cookieHad  bool      // and it verified
	sessRead   bool      // the storage read the session's messages
	sessHad    bool      // the session held the messages key
	sessLoaded []Message // the messages read from the session
}

// Value returns st for contextKey, else the parent context's value.
func (st *state) Value(key any) any {
	if key == (contextKey{}) {
		return st
	}
	return st.Context.Value(key)
}

// load reads the stored messages once. The caller holds st.mu.
func (st *state) load() {
	if !st.loaded {
		st.loaded = true
		st.msgs = st.m.Storage.load(st)
	}
}

// logNoSession reports ErrNoSession, once per Manager.
func (st *state) logNoSession() {
	st.m.warned.Do(func() {
		st.m.Logger.LogAttrs(st.r.Context(), slog.LevelError, ErrNoSession.Error(),
			logval.String("path", st.r.URL.Path))
	})
}

// commit stores the messages; it runs once, before the headers go out.
func (st *state) commit(code int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.committed = true
	if code >= 500 || st.noSession {
		return
	}
	htmx := st.htmxWanted(code)
	if !htmx && !st.used && len(st.queued) == 0 && !st.dirty {
		return
	}
	var msgs []Message
	if st.used {
		msgs = st.queued // only what was added after reading
	} else {
		st.load()
		msgs = append(st.msgs[:len(st.msgs):len(st.msgs)], st.queued...)
	}
	sent := 0
	if htmx && len(msgs) > 0 {
		sent = st.deliverHTMX(msgs)
		msgs = msgs[sent:]
		if sent > 0 {
			// Delivered is read: a storage that merges with concurrent
			// changes (SessionStorage) removes what it loaded and stores
			// what is left.
			st.used = true
		}
	}
	if sent == 0 && !st.used && len(st.queued) == 0 && !st.dirty {
		// An htmx response that delivered nothing changes nothing; its
		// headers still depend on the stored messages.
		if st.loaded {
			vary.Cookie(st.w.Header())
		}
		return
	}
	st.m.Storage.store(st, msgs)
	if st.loaded {
		vary.Cookie(st.w.Header())
	}
}

// log logs at level with the request's path.
func (st *state) log(level slog.Level, msg string, attrs ...slog.Attr) {
	st.m.Logger.LogAttrs(st.r.Context(), level, msg, append(attrs, logval.String("path", st.r.URL.Path))...)
}

// errorf wraps an error with the package prefix.
func errorf(format string, args ...any) error { return fmt.Errorf("messages: "+format, args...) }
