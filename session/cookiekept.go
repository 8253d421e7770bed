package session

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// cookieBackend keeps the whole session sealed in the cookie (a
// CookieStore). There are no records: nothing to retire, no version to
// compare, and every save sends a new cookie.
type cookieBackend struct {
	m     *Manager
	store CookieStore
}

func (b *cookieBackend) open(s *Session, value string) {
	s.hadCookie, s.cookieValue = true, value
}

// load opens the sealed session. A value that does not open, does not
// decode or has expired is an empty session (logged).
func (b *cookieBackend) load(s *Session) {
	s.values, s.st = map[string][]byte{}, stateFresh
	if s.cookieValue == "" {
		return
	}
	m := b.m
	rec, err := b.store.OpenCookie(s.cookieValue)
	if err == nil && !rec.Expiry.After(m.Now()) {
		err = errors.New("session: the session cookie has expired")
	}
	var vals map[string][]byte
	if err == nil {
		vals, err = m.Codec.Decode(rec.Data)
	}
	if err != nil {
		m.event(s.ctx, slog.LevelWarn, EventCookieRejected, "session: session cookie rejected; starting empty", slog.Any("error", err))
		return
	}
	s.values, s.st = vals, stateStored
}

func (b *cookieBackend) retire(*Session) error { return nil }

func (b *cookieBackend) newCookie(*Session) bool { return true }

// save seals the session into a new cookie, or deletes the cookie of a
// session left empty.
func (b *cookieBackend) save(s *Session, h http.Header) error {
	if isEmpty(s.values) {
		if s.hadCookie {
			s.deleteCookie(h)
		}
		return nil
	}
	rec, err := b.m.record(s.values, 0)
	if err != nil {
		return err
	}
	value, err := b.store.SealCookie(rec)
	if err != nil {
		return fmt.Errorf("session: seal cookie: %w", err)
	}
	return s.setCookie(h, value, s.values)
}
