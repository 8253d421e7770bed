package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/tetherweb/tether/cookie"
	"github.com/tetherweb/tether/internal/vary"
	"github.com/tetherweb/tether/proxy"
)

// commit saves the session if it must, and sets the cookie headers in h.
// It runs once, before the response's headers are written; status is the
// response's status code.
func (s *Session) commit(h http.Header, status int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sealed {
		return nil
	}
	s.sealed = true
	if s.st != stateUnread {
		vary.Cookie(h)
	}
	if s.st == stateBroken {
		return s.err
	}
	m := s.m
	save := status < 500 && s.mustSave()
	if save || len(s.pending.retire) > 0 {
		// The save must not be cut short because the client went away (a
		// logout whose tab was closed must still delete the record), but
		// it is bounded.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), m.CommitTimeout)
		defer cancel()
		s.ctx = ctx
	}
	if save && s.st == stateUnread {
		// SaveEveryRequest on an untouched session: load it first (an
		// idle session found now is retired below).
		if err := s.load(); err != nil {
			return err
		}
	}
	// Records retired by Flush (or the idle timeout) are deleted even when
	// the request failed: a logout is a security action, not data to roll
	// back.
	if err := m.backend.retire(s); err != nil {
		return err
	}
	if status >= 500 {
		return nil // a failed request saves nothing else
	}
	if !save {
		// A cookie that named no session (a malformed key, or one found
		// unknown, expired or unreadable) is removed.
		if s.hadCookie && s.st == stateFresh {
			vary.Cookie(h)
			s.deleteCookie(h)
		}
		return nil
	}
	s.materialize()
	s.stampSeen()
	vary.Cookie(h)
	return m.backend.save(s, h)
}

// mustSave reports whether the commit writes: the request changed the
// session, or SaveEveryRequest applies to a session the cookie names.
func (s *Session) mustSave() bool {
	if s.pending.modified() || s.pending.touch {
		return true
	}
	return s.m.SaveEveryRequest && (s.st == stateStored || s.st == stateUnread && s.cookieValue != "")
}

// bounded runs one store call under the Manager's StoreTimeout. A call cut
// off by that bound (not by the caller's own context) is reported as
// ErrUnavailable: a backend that does not answer in time is down, as far
// as this request is concerned.
// It also reports the call to Metrics, as op.
func (m *Manager) bounded(ctx context.Context, op string, call func(ctx context.Context) error) error {
	var start time.Time
	if m.Metrics != nil {
		start = time.Now()
	}
	var err error
	if m.local {
		err = call(ctx)
	} else {
		cctx, cancel := context.WithTimeout(ctx, m.StoreTimeout)
		err = call(cctx)
		if err != nil && ctx.Err() == nil && errors.Is(cctx.Err(), context.DeadlineExceeded) && !errors.Is(err, ErrUnavailable) {
			err = fmt.Errorf("%w: no answer within %v: %w", ErrUnavailable, m.StoreTimeout, err)
		}
		cancel()
	}
	if m.Metrics != nil {
		m.Metrics.StoreCall(ctx, op, time.Since(start), err)
	}
	return err
}

// record encodes values into a record with their expiry.
func (m *Manager) record(values map[string][]byte, v Version) (Record, error) {
	data, err := m.Codec.Encode(values)
	if err != nil {
		return Record{}, fmt.Errorf("session: encode: %w", err)
	}
	return Record{Data: data, Expiry: m.expiry(values).at, Version: v}, nil
}

// deadRecord is an empty record that has already expired, written with
// compare-and-swap to retire a record only if nobody changed it.
func (m *Manager) deadRecord(v Version) (Record, error) {
	data, err := m.Codec.Encode(map[string][]byte{})
	if err != nil {
		return Record{}, fmt.Errorf("session: encode: %w", err)
	}
	return Record{Data: data, Expiry: m.Now().Add(-time.Second), Version: v}, nil
}

// setCookie adds the session cookie with value (the key, or the sealed
// session of a CookieStore) to h. A cookie too large for browsers is an
// error, never a cookie the browser would silently drop.
func (s *Session) setCookie(h http.Header, value string, values map[string][]byte) error {
	m := s.m
	opts := s.cookieOptions()
	if e := m.expiry(values); !e.browserClose {
		opts.MaxAge = max(e.age, time.Second)
	}
	c, err := cookie.New(m.CookieName, value, opts)
	if err != nil {
		return fmt.Errorf("session: cookie: %w", err)
	}
	h.Add("Set-Cookie", c.String())
	return nil
}

// deleteCookie adds a header that removes the session cookie.
func (s *Session) deleteCookie(h http.Header) {
	h.Add("Set-Cookie", cookie.Expired(s.m.CookieName, s.cookieOptions()).String())
}

// cookieOptions are the Manager's cookie options, Secure also whenever the
// request came over HTTPS (as package proxy judges it): a cookie set over
// HTTPS has no reason to travel over plain HTTP.
func (s *Session) cookieOptions() cookie.Options {
	opts := s.m.Cookie
	opts.Secure = opts.Secure || proxy.IsHTTPS(s.req)
	return opts
}
