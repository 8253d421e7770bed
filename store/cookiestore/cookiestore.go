// Package cookiestore keeps the whole session in the session cookie: no
// server state at all, so nothing to run, share or clean up.
//
// Two formats:
//
//   - NewEncrypted (the recommended one) seals the session with
//     XChaCha20-Poly1305: the browser can neither read nor change it. The
//     expiry is sealed inside and enforced on the server, including a
//     session's own SetExpiry, whatever the cookie's Max-Age says.
//   - NewSigned writes Django's signed_cookies format: signing.dumps of the
//     session, compressed when that pays, under Django's salt and key. A
//     Django app with the same SECRET_KEY reads and writes the same
//     cookies. The session is only signed: THE BROWSER CAN READ IT, so never
//     keep a secret in it. Like Django, the server enforces the maximum age
//     from the signing time (WithMaxAge, default two weeks); a session's
//     own shorter SetExpiry only shortens the cookie.
//
// What a cookie cannot do, and the documentation of the Manager's other
// stores promises:
//
//   - Concurrent requests are not merged. Each response carries a whole new
//     cookie and the browser keeps the last one: when two requests of one
//     user change the session at the same time, one change is lost. Use a
//     server store when that matters (carts, counters).
//   - Logout cannot revoke a copy. Flush deletes the cookie from this
//     browser, but a copy taken earlier stays valid until it expires, and
//     a slow request that started before the logout and changes the
//     session (or any request with SaveEveryRequest) sends the old
//     session back in a new cookie. A server store refuses both.
//   - Size. Browsers drop cookies over 4096 bytes; the Manager refuses to
//     write one (the request fails with an error) rather than let the
//     browser drop it silently. Keep sessions small.
//
// A Store is given to session.Manager's CookieStore field (not its Store
// field): it is not a server store, and has no records to load, list or
// sweep.
package cookiestore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/signing"
)

// DjangoSalt is the salt of Django's signed_cookies session backend.
const DjangoSalt = "django.contrib.sessions.backends.signed_cookies"

// encryptedPurpose binds the encryption keys to this use.
const encryptedPurpose = "tether.store.cookiestore"

// Store is a session.CookieStore: set it as session.Manager's CookieStore.
// Make one with NewEncrypted or NewSigned.
// It is immutable and safe for concurrent use.
type Store struct {
	cipher *signing.Cipher          // encrypted format
	signer *signing.TimestampSigner // signed (Django) format
	maxAge time.Duration
}

var _ session.CookieStore = (*Store)(nil)

// Option configures a Store.
type Option func(*config)

type config struct {
	fallbacks [][]byte
	maxAge    time.Duration
	now       func() time.Time
}

// WithFallbackKeys adds old secrets still accepted when reading cookies.
func WithFallbackKeys(keys ...[]byte) Option {
	return func(c *config) { c.fallbacks = append(c.fallbacks, keys...) }
}

// WithMaxAge sets how long a signed cookie is accepted after it was
// written (NewSigned only; Django's SESSION_COOKIE_AGE, default two weeks).
// Use the same value as the Manager's MaxAge.
func WithMaxAge(d time.Duration) Option {
	return func(c *config) { c.maxAge = d }
}

// WithClock replaces time.Now for the signing time (tests).
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

func newConfig(opts []Option) config {
	c := config{maxAge: session.DefaultMaxAge, now: time.Now}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// NewEncrypted returns a Store that seals sessions with the secret key.
func NewEncrypted(key []byte, opts ...Option) (*Store, error) {
	c := newConfig(opts)
	ci, err := signing.NewCipher(key, signing.WithSalt(encryptedPurpose), signing.WithFallbackKeys(c.fallbacks...))
	if err != nil {
		return nil, fmt.Errorf("cookiestore: %w", err)
	}
	return &Store{cipher: ci}, nil
}

// NewSigned returns a Store in Django's signed_cookies format for Django's
// SECRET_KEY. Configure the Manager with the default JSON codec. The
// browser can read what the session holds.
func NewSigned(secretKey []byte, opts ...Option) (*Store, error) {
	c := newConfig(opts)
	if c.maxAge <= 0 {
		return nil, errors.New("cookiestore: the maximum age must be positive")
	}
	t, err := signing.NewTimestampSigner(secretKey, signing.WithSalt(DjangoSalt), signing.WithCompression(true),
		signing.WithFallbackKeys(c.fallbacks...), signing.WithClock(c.now))
	if err != nil {
		return nil, fmt.Errorf("cookiestore: %w", err)
	}
	return &Store{signer: t, maxAge: c.maxAge}, nil
}

// SealCookie implements session.CookieStore.
func (s *Store) SealCookie(rec session.Record) (string, error) {
	if s.signer != nil {
		return s.signer.SignBytes(rec.Data), nil
	}
	plain := make([]byte, 8, 8+len(rec.Data))
	binary.BigEndian.PutUint64(plain, uint64(rec.Expiry.UnixMilli()))
	plain = append(plain, rec.Data...)
	return s.cipher.Seal(plain, nil), nil
}

// OpenCookie implements session.CookieStore.
func (s *Store) OpenCookie(value string) (session.Record, error) {
	if s.signer != nil {
		data, signed, err := s.signer.UnsignBytesTime(value)
		if err != nil {
			return session.Record{}, fmt.Errorf("cookiestore: %w", err)
		}
		return session.Record{Data: data, Expiry: signed.Add(s.maxAge)}, nil
	}
	plain, err := s.cipher.Open(value, nil)
	if err != nil {
		return session.Record{}, fmt.Errorf("cookiestore: %w", err)
	}
	if len(plain) < 8 {
		return session.Record{}, errors.New("cookiestore: sealed value too short")
	}
	expiry := time.UnixMilli(int64(binary.BigEndian.Uint64(plain)))
	return session.Record{Data: plain[8:], Expiry: expiry}, nil
}
