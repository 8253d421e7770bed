package csrf

import (
	"context"
	"log/slog"
	"net/http"
	"sync"

	"github.com/tetherweb/tether/cookie"
	"github.com/tetherweb/tether/internal/hookwriter"
	"github.com/tetherweb/tether/internal/logval"
	"github.com/tetherweb/tether/internal/vary"
	"github.com/tetherweb/tether/proxy"
	"github.com/tetherweb/tether/session"
)

type ctxKey struct{}

// state is one request's CSRF state. It is also the request's context:
// it embeds the parent context and answers Value(ctxKey{}) itself, which
// saves the allocation of a context.WithValue. It embeds the response
// writer wrapper for the same reason. Its methods are safe for concurrent
// use by the handler's goroutines.
type state struct {
	context.Context
	g  *Guard
	r  *http.Request     // the request handed to the handler
	hw hookwriter.Writer // runs before (unless HeaderOnly) just before the headers go out

	mu     sync.Mutex
	loaded bool // the client's secret was read
	has    bool // secret holds a secret
	fresh  bool // secret is new (created or rotated): the client does not have it yet
	send   bool // the cookie must be sent with this response
	keep   bool // UseSession: a token was handed out or the secret rotated; the session must hold secret
	sent   bool
	out    bool        // the response's headers have gone out (set by before, under mu)
	bad    formatError // why the client's stored value was unusable
	secret [SecretLength]byte
}

// Value answers for ctxKey{} and passes every other key to the parent.
func (st *state) Value(key any) any {
	if key == (ctxKey{}) {
		return st
	}
	return st.Context.Value(key)
}

func stateFrom(r *http.Request) *state {
	st, _ := r.Context().Value(ctxKey{}).(*state)
	return st
}

// load reads the client's secret, once: from the cookie, or from the
// session with UseSession. A value of the wrong form is remembered in
// st.bad and treated as no secret (Token replaces it). The caller holds
// st.mu.
func (st *state) load() error {
	if st.loaded {
		return nil
	}
	var v string
	if st.g.useSession {
		var ok bool
		var err error
		if v, ok, err = st.sessionValue(); err != nil {
			return err
		}
		if !ok {
			st.loaded, st.bad = true, formatChars // not a string
			return nil
		}
	} else {
		v, _ = cookie.Value(st.r, st.g.cookieName)
	}
	st.loaded = true
	if v == "" {
		return nil
	}
	if f := decode(&st.secret, v); f != formatOK {
		st.bad = f
		return nil
	}
	st.has = true
	return nil
}

// sessionValue reads the secret kept in the session. ok is false for a
// value that is not a string; err is a missing middleware or a store
// failure. (A function of its own so that the variable the session
// decodes into is allocated only in session mode.)
func (st *state) sessionValue() (v string, ok bool, err error) {
	s := session.From(st.r)
	if s == nil {
		return "", false, errNoSession
	}
	found, err := s.Get(SessionKey, &v)
	if err != nil && !found {
		return "", false, err
	}
	return v, err == nil, nil
}

// renew makes a new secret and arranges for the client to get it: the
// cookie is sent with the response, or the session is changed at once
// (the session middleware saves it). The caller holds st.mu.
func (st *state) renew() error {
	newSecret(&st.secret)
	st.loaded, st.has, st.fresh, st.bad = true, true, true, formatOK
	if st.g.useSession {
		st.keep = true
		if err := session.From(st.r).Set(SessionKey, st.stored()); err != nil {
			st.has = false
			return err
		}
		return nil
	}
	st.send = true
	return nil
}

// before is the response-writer hook. In cookie mode it sends the cookie
// when Token or Rotate asked for it, with Secure when the request came
// over HTTPS, and adds "Vary: Cookie" since the response then depends on
// the cookie. With UseSession it makes sure the session still holds the
// secret of the tokens handed out (see keepInSession).
func (st *state) before(int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.out = true
	if st.g.useSession {
		st.keepInSession()
		return
	}
	if !st.send || st.sent {
		return
	}
	st.sent = true
	g := st.g
	v := st.stored()
	o := g.cookie
	o.Secure = o.Secure || proxy.IsHTTPS(st.r)
	h := st.hw.ResponseWriter.Header()
	if err := cookie.Set(st.hw.ResponseWriter, g.cookieName, v, o); err != nil {
		g.logger.LogAttrs(st.r.Context(), slog.LevelError, "csrf: cannot set the csrf cookie",
			logval.Error(err))
		return
	}
	vary.Cookie(h)
}

// stored is the secret as the cookie or the session keeps it: the bare
// secret, or a fresh masking of it with MaskCookie (what Django 3.2 and
// 4.0 write, and what Django 3.2 requires of a session value: it unmasks
// the "_csrftoken" it reads without checking its length). The caller
// holds st.mu.
func (st *state) stored() string {
	if st.g.maskCookie {
		return mask(&st.secret)
	}
	return string(st.secret[:])
}

// keepInSession runs, with UseSession, just before the headers go out,
// hence before the session middleware (outside this one) saves the
// session. When this request handed out a token (Token) or rotated the
// secret (Rotate), the session must still hold that secret, or the form
// the page carries fails on its next POST. The handler may have removed
// it after the token was made: session.Flush (a logout that then renders
// the login form), or a Delete or Set of "_csrftoken". Django stores the
// secret in process_response for the same reason. st.secret is always the
// latest secret handed out: a Rotate after a Token replaced it (and those
// earlier tokens are meant to stop working), and a Token after a Flush
// made a new one; so the session is set to st.secret when it holds
// anything else. The caller holds st.mu.
func (st *state) keepInSession() {
	if !st.keep || !st.has {
		return
	}
	s := session.From(st.r)
	if s == nil {
		return
	}
	// A value of the same secret, bare or masked (as Django 3.2 stores
	// it), is left as it is.
	var v string
	var held [SecretLength]byte
	if found, err := s.Get(SessionKey, &v); err == nil && found && decode(&held, v) == formatOK && held == st.secret {
		return
	}
	if err := s.Set(SessionKey, st.stored()); err != nil {
		st.g.logger.LogAttrs(st.r.Context(), slog.LevelError,
			"csrf: cannot put the csrf secret back in the session; the tokens of this response will not verify",
			logval.Error(err))
	}
}
