package session

import (
	"time"
)

// expiryKey is where a session keeps its own expiry setting, as Django does:
// an integer number of seconds (0: until the browser closes) or an ISO 8601
// instant.
const expiryKey = "_session_expiry"

// DefaultExpiry passed to SetExpiry removes the session's own setting, so
// the Manager's MaxAge and ExpireAtBrowserClose apply again.
const DefaultExpiry time.Duration = -1

// maxExpirySeconds caps a stored expiry (ten years), so a huge value from
// another writer cannot overflow a time.Duration.
const maxExpirySeconds = 10 * 365 * 24 * 3600

// isoLayout is how an instant set with SetExpiryAt is stored: Python's
// datetime.isoformat() of an aware UTC datetime, which Django reads back.
const isoLayout = "2006-01-02T15:04:05.999999-07:00"

// SetExpiry sets how long the session lives after each save: d > 0 is that
// many seconds of inactivity (rounded up), 0 ends the session cookie when
// the browser closes (the record still expires after the Manager's MaxAge),
// and DefaultExpiry (any d < 0) returns to the Manager's defaults.
func (s *Session) SetExpiry(d time.Duration) error {
	if d < 0 {
		return s.Delete(expiryKey)
	}
	secs := int64((d + time.Second - 1) / time.Second)
	return s.Set(expiryKey, secs)
}

// SetExpiryAt makes the session expire at t, whatever later saves happen.
func (s *Session) SetExpiryAt(t time.Time) error {
	return s.Set(expiryKey, t.UTC().Format(isoLayout))
}

// ExpiryAge returns how long the session will live after this request's
// save, as Django's get_expiry_age.
func (s *Session) ExpiryAge() time.Duration {
	return s.expiryInfo(func(m *Manager) expiryInfo { return expiryInfo{age: m.MaxAge} }).age
}

// ExpireAtBrowserClose reports whether the session cookie ends with the
// browser.
func (s *Session) ExpireAtBrowserClose() bool {
	return s.expiryInfo(func(m *Manager) expiryInfo { return expiryInfo{browserClose: m.ExpireAtBrowserClose} }).browserClose
}

// expiryInfo resolves the session's expiry; failed gives what a failed
// load means.
func (s *Session) expiryInfo(failed func(*Manager) expiryInfo) expiryInfo {
	if s == nil {
		return expiryInfo{}
	}
	return inspect(s, failed(s.m), func() expiryInfo {
		s.materialize()
		return s.m.expiry(s.values)
	})
}

// expiryInfo is what a session's settings mean at save time.
type expiryInfo struct {
	age          time.Duration // lifetime from now
	at           time.Time     // when the record dies
	browserClose bool          // the cookie has no Max-Age
}

// expiry resolves the session's expiry setting against the Manager's.
func (m *Manager) expiry(values map[string][]byte) expiryInfo {
	now := m.Now()
	def := expiryInfo{age: m.MaxAge, at: now.Add(m.MaxAge), browserClose: m.ExpireAtBrowserClose}
	raw, ok := values[expiryKey]
	if !ok {
		return def
	}
	var secs int64
	if err := m.Codec.DecodeValue(raw, &secs); err == nil {
		if secs <= 0 {
			return expiryInfo{age: m.MaxAge, at: now.Add(m.MaxAge), browserClose: true}
		}
		age := time.Duration(min(secs, maxExpirySeconds)) * time.Second
		return expiryInfo{age: age, at: now.Add(age)}
	}
	var iso string
	if err := m.Codec.DecodeValue(raw, &iso); err == nil {
		if t, err := parseISO(iso); err == nil {
			return expiryInfo{age: t.Sub(now).Truncate(time.Second), at: t}
		}
	}
	return def
}

// parseISO reads the ISO 8601 forms Python's isoformat writes, with or
// without fractional seconds, with an offset or "Z".
func parseISO(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02T15:04:05.999999", s) // naive: UTC
}

// isEmpty reports whether values hold nothing worth storing: no keys, or
// only the session's own keys (its expiry setting, its last use).
func isEmpty(values map[string][]byte) bool {
	for k := range values {
		if !internalKey(k) {
			return false
		}
	}
	return true
}
