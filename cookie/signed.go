package cookie

import (
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/tetherweb/tether/internal/logval"
	"github.com/tetherweb/tether/signing"
)

// djangoCookieKeyPrefix is prepended to every secret by Django's
// get_cookie_signer, so cookie signatures never verify as other signatures.
const djangoCookieKeyPrefix = "django.http.cookies"

// Signed writes and reads signed, timestamped cookies: Django's
// set_signed_cookie and get_signed_cookie. The value stays readable by the
// client; any change to it is detected. For the same SECRET_KEY, name and
// salt, values are interchangeable with Django's.
//
// Set Key before first use; the other fields are optional. Do not change
// the fields after first use. Its methods are safe for concurrent use.
type Signed struct {
	// Key is the secret (Django's SECRET_KEY). Required.
	Key []byte
	// FallbackKeys are old secrets still accepted when reading.
	FallbackKeys [][]byte
	// Salt is appended to the cookie name to form the signing salt, as
	// Django's salt argument (default "").
	Salt string
	// Options are the attributes of the cookies Set writes.
	Options Options
	// Logger receives a warning for every cookie that fails verification
	// in GetDefault (nil: slog.Default()).
	Logger *slog.Logger
	// Now replaces time.Now for timestamps (tests).
	Now func() time.Time

	signers sync.Map // name -> *signing.TimestampSigner
}

func (s *Signed) signer(name string) (*signing.TimestampSigner, error) {
	if v, ok := s.signers.Load(name); ok {
		return v.(*signing.TimestampSigner), nil
	}
	if len(s.Key) == 0 {
		return nil, errors.New("cookie: Signed.Key is empty")
	}
	prefixed := func(k []byte) []byte { return append([]byte(djangoCookieKeyPrefix), k...) }
	opts := []signing.Option{signing.WithSalt(name + s.Salt), signing.WithClock(s.Now)}
	for _, k := range s.FallbackKeys {
		opts = append(opts, signing.WithFallbackKeys(prefixed(k)))
	}
	t, err := signing.NewTimestampSigner(prefixed(s.Key), opts...)
	if err != nil {
		return nil, err
	}
	v, _ := s.signers.LoadOrStore(name, t)
	return v.(*signing.TimestampSigner), nil
}

// Set writes the cookie name with value signed and timestamped.
func (s *Signed) Set(w http.ResponseWriter, name, value string) error {
	t, err := s.signer(name)
	if err != nil {
		return err
	}
	return Set(w, name, t.Sign(value), s.Options)
}

// Get returns the verified value of the cookie name. It fails with
// http.ErrNoCookie when the request has none, with an error matching
// signing.ErrBadSignature when it was altered or signed with another key,
// and with one matching signing.ErrExpired when maxAge > 0 and the value
// was signed longer ago than that.
func (s *Signed) Get(r *http.Request, name string, maxAge time.Duration) (string, error) {
	raw, ok := Value(r, name)
	if !ok {
		return "", http.ErrNoCookie
	}
	t, err := s.signer(name)
	if err != nil {
		return "", err
	}
	return t.Unsign(raw, maxAge)
}

// GetDefault is Get that returns def on any failure; failures other than a
// missing cookie are logged as warnings.
func (s *Signed) GetDefault(r *http.Request, name string, maxAge time.Duration, def string) string {
	return getDefault(s.Get, s.Logger, r, name, maxAge, def)
}

// Delete removes the cookie name (with the same Path and Domain as Set).
func (s *Signed) Delete(w http.ResponseWriter, name string) {
	Delete(w, name, s.Options)
}

// getDefault calls get and returns def when it fails, logging any failure
// but a missing cookie: the GetDefault of Signed and of Encrypted.
func getDefault(get func(*http.Request, string, time.Duration) (string, error), l *slog.Logger, r *http.Request, name string, maxAge time.Duration, def string) string {
	v, err := get(r, name, maxAge)
	if err != nil {
		logFailure(l, r, name, err)
		return def
	}
	return v
}

func logFailure(l *slog.Logger, r *http.Request, name string, err error) {
	if errors.Is(err, http.ErrNoCookie) {
		return
	}
	if l == nil {
		l = slog.Default()
	}
	l.LogAttrs(r.Context(), slog.LevelWarn, "cookie: rejected", slog.String("event", EventRejected),
		slog.String("cookie", name), logval.String("path", r.URL.Path), logval.Error(err))
}

// EventRejected is the value of the "event" attribute on the log line of
// a signed or encrypted cookie that does not verify (stable).
const EventRejected = "cookie.rejected"
