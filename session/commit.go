package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/tetherweb/tether/cookie"
	"github.com/tetherweb/tether/internal/vary"
	"github.com/tetherweb/tether/proxy"
)

// maxKeyAttempts bounds the search for an unused key (a collision of two
// 165-bit random keys never happens; a store answering ErrExists forever
// must not hang the request).
const maxKeyAttempts = 5

// commit saves the session if it must, and sets the cookie headers in h.
// It runs once, before the response's headers are written; status is the
// response's status code.
func (s *Session) commit(h http.Header, status int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.committed {
		return nil
	}
	s.committed = true
	if s.loaded {
		vary.Cookie(h)
	}
	if s.loadErr != nil {
		return s.loadErr
	}
	m := s.m
	save := status < 500 && (s.modified || m.SaveEveryRequest && (s.key != "" || s.cookieValue != ""))
	if save || len(s.retire) > 0 {
		// The save must not be cut short because the client went away (a
		// logout whose tab was closed must still delete the record), but
		// it is bounded.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), m.CommitTimeout)
		defer cancel()
		s.ctx = ctx
	}
	// Records retired by Flush are deleted even when the request failed:
	// a logout is a security action, not data to roll back.
	for _, k := range s.retire {
		if err := m.Store.Delete(s.ctx, k); err != nil {
			return fmt.Errorf("session: delete: %w", err)
		}
	}
	if status >= 500 {
		return nil // a failed request saves nothing else
	}
	if !save {
		// A cookie whose key is malformed (known without loading), or
		// whose session turned out unknown, expired or unreadable, is
		// removed.
		stale := s.hadCookie && !s.exists && (s.loaded || m.cookies == nil && s.key == "")
		if stale {
			vary.Cookie(h)
			s.deleteCookie(h)
		}
		return nil
	}
	if err := s.load(); err != nil { // SaveEveryRequest on an untouched session
		return err
	}
	s.materialize()
	vary.Cookie(h)
	if m.cookies != nil {
		return s.saveCookie(h)
	}
	if s.exists {
		unlock, err := m.locks.lock(s.ctx, s.key)
		if err != nil {
			return fmt.Errorf("session: save: %w", err)
		}
		defer unlock()
	}
	switch {
	case !s.exists:
		return s.saveNew(h)
	case s.cycle:
		return s.saveCycled(h)
	default:
		return s.saveExisting(h)
	}
}

// saveNew stores a session that has no record yet under a fresh key.
func (s *Session) saveNew(h http.Header) error {
	if isEmpty(s.values) {
		if s.hadCookie {
			s.deleteCookie(h)
		}
		return nil
	}
	key, v, err := s.create(s.values)
	if err != nil {
		return err
	}
	s.key, s.version, s.exists = key, v, true
	return s.setCookie(h, key, s.values)
}

// saveCookie seals the session into the cookie (a CookieStore).
func (s *Session) saveCookie(h http.Header) error {
	m := s.m
	if isEmpty(s.values) {
		if s.hadCookie {
			s.deleteCookie(h)
		}
		return nil
	}
	rec, err := m.record(s.values, 0)
	if err != nil {
		return err
	}
	value, err := m.cookies.SealCookie(rec)
	if err != nil {
		return fmt.Errorf("session: seal cookie: %w", err)
	}
	return s.setCookie(h, value, s.values)
}

// create stores values under a new random key.
func (s *Session) create(values map[string][]byte) (string, Version, error) {
	rec, err := s.m.record(values, 0)
	if err != nil {
		return "", 0, err
	}
	for range maxKeyAttempts {
		key := NewKey()
		v, err := s.m.Store.Create(s.ctx, key, rec)
		if errors.Is(err, ErrExists) {
			continue
		}
		if err != nil {
			return "", 0, fmt.Errorf("session: create: %w", err)
		}
		return key, v, nil
	}
	return "", 0, errors.New("session: create: no unused key found")
}

// saveExisting writes the request's changes over the record with
// compare-and-swap, replaying them on a fresh copy after each conflict.
func (s *Session) saveExisting(h http.Header) error {
	m := s.m
	for attempt := 0; ; attempt++ {
		empty := isEmpty(s.values)
		var rec Record
		var err error
		if empty {
			rec, err = m.deadRecord(s.version)
		} else {
			rec, err = m.record(s.values, s.version)
		}
		if err != nil {
			return err
		}
		v, err := m.Store.Update(s.ctx, s.key, rec)
		if err == nil {
			if empty {
				// The session was emptied and nobody changed it meanwhile:
				// the record is dead; remove it and the cookie.
				if err := m.Store.Delete(s.ctx, s.key); err != nil {
					m.Logger.LogAttrs(s.ctx, slog.LevelWarn, "session: delete emptied record", slog.Any("error", err))
				}
				s.key, s.exists = "", false
				s.deleteCookie(h)
				return nil
			}
			s.version = v
			return s.setCookie(h, s.key, s.values)
		}
		if err := s.resolve(err, attempt); err != nil {
			return err
		}
	}
}

// saveCycled moves the session to a new key: it creates the new record,
// then retires the old one with compare-and-swap so that a change a
// concurrent request made to the old record in between is carried over,
// never lost; then deletes the old record.
func (s *Session) saveCycled(h http.Header) error {
	m := s.m
	if isEmpty(s.values) {
		s.cycle = false
		return s.saveExisting(h)
	}
	oldKey := s.key
	newKey, newVersion, err := s.create(s.values)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		dead, err := m.deadRecord(s.version)
		if err != nil {
			return err
		}
		_, err = m.Store.Update(s.ctx, oldKey, dead)
		if err == nil {
			break
		}
		if err := s.resolve(err, attempt); err != nil {
			m.Store.Delete(s.ctx, newKey) // best effort: nobody knows this key
			return err
		}
		rec, err := m.record(s.values, newVersion)
		if err != nil {
			return err
		}
		if newVersion, err = m.Store.Update(s.ctx, newKey, rec); err != nil {
			return fmt.Errorf("session: save: %w", err)
		}
	}
	if err := m.Store.Delete(s.ctx, oldKey); err != nil {
		m.Logger.LogAttrs(s.ctx, slog.LevelWarn, "session: delete retired record", slog.Any("error", err))
	}
	s.key, s.version = newKey, newVersion
	return s.setCookie(h, newKey, s.values)
}

// resolve handles a failed Update of s.key: after a conflict it reloads the
// record and replays the request's changes on it (s.values and s.version
// then reflect the fresh copy); any other failure is returned.
func (s *Session) resolve(err error, attempt int) error {
	m := s.m
	switch {
	case errors.Is(err, ErrNotFound):
		return ErrInterrupted
	case !errors.Is(err, ErrConflict):
		return fmt.Errorf("session: save: %w", err)
	case attempt >= m.MaxRetries:
		return ErrTooManyConflicts
	}
	if attempt > 0 {
		// Another process keeps winning: back off a random while (up to
		// 1, 2, 4 ... 32 ms) so that the writers spread out.
		ceiling := time.Duration(1<<min(attempt-1, 5)) * time.Millisecond
		t := time.NewTimer(rand.N(ceiling) + time.Millisecond/4)
		select {
		case <-t.C:
		case <-s.ctx.Done():
			t.Stop()
			return fmt.Errorf("session: save: %w", s.ctx.Err())
		}
	}
	fresh, err := m.Store.Load(s.ctx, s.key)
	if errors.Is(err, ErrNotFound) || err == nil && !fresh.Expiry.After(m.Now()) {
		return ErrInterrupted
	}
	if err != nil {
		return fmt.Errorf("session: reload: %w", err)
	}
	values, err := m.Codec.Decode(fresh.Data)
	if err != nil {
		m.Logger.LogAttrs(s.ctx, slog.LevelWarn, "session: record does not decode; starting empty", slog.Any("error", err))
		values = map[string][]byte{}
	}
	for i := range s.ops {
		if err := s.ops[i].apply(values); err != nil {
			return err
		}
	}
	s.values, s.version = values, fresh.Version
	return nil
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
