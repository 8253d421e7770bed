package signing

import (
	"fmt"
	"strings"
	"time"
)

// DefaultTimestampSalt is the salt of a TimestampSigner built without
// WithSalt, the same as Django's TimestampSigner().
const DefaultTimestampSalt = "django.core.signing.TimestampSigner"

// TimestampSigner signs a value together with the time of signing:
// "value:timestamp:signature", where the timestamp is the Unix time in
// seconds in base62 and is covered by the signature. Unsign can then refuse
// values older than a maximum age.
//
// A TimestampSigner is immutable and safe for concurrent use.
type TimestampSigner struct {
	s           *Signer
	now         func() time.Time
	serializer  Serializer
	compress    bool
	maxInflated int
}

// NewTimestampSigner returns a TimestampSigner for the secret key. It takes
// the options of NewSigner (the salt defaults to DefaultTimestampSalt), and
// WithClock, WithSerializer, WithCompression and WithMaxDecompressedSize for
// the object methods.
func NewTimestampSigner(key []byte, opts ...Option) (*TimestampSigner, error) {
	c := newConfig(DefaultTimestampSalt, opts)
	return newTimestampSigner(key, &c)
}

func newTimestampSigner(key []byte, c *config) (*TimestampSigner, error) {
	s, err := newSigner(key, c)
	if err != nil {
		return nil, err
	}
	return &TimestampSigner{s: s, now: c.now, serializer: c.serializer, compress: c.compress, maxInflated: c.maxInflated}, nil
}

// Signer returns the underlying Signer (without timestamps).
func (t *TimestampSigner) Signer() *Signer { return t.s }

// Sign returns value + sep + base62(now) + sep + signature.
func (t *TimestampSigner) Sign(value string) string {
	return t.s.Sign(value + t.s.sep + base62Encode(t.now().Unix()))
}

// Unsign verifies signed and returns the value. When maxAge > 0, a value
// signed more than maxAge ago fails with an error matching ErrExpired (an
// *ExpiredError); the signature is always checked first, so an expired
// error means the value was authentic. Timestamps in the future are
// accepted, as in Django.
func (t *TimestampSigner) Unsign(signed string, maxAge time.Duration) (string, error) {
	value, ts, err := t.UnsignTime(signed)
	if err != nil {
		return "", err
	}
	if maxAge > 0 {
		// Django compares a float age in seconds with max_age; whole
		// seconds stored, so measure from the signing second.
		age := t.now().Sub(ts)
		if age > maxAge {
			return "", &ExpiredError{Age: age, MaxAge: maxAge}
		}
	}
	return value, nil
}

// UnsignTime verifies signed and returns the value and the time it was
// signed, without applying any maximum age.
func (t *TimestampSigner) UnsignTime(signed string) (string, time.Time, error) {
	inner, err := t.s.Unsign(signed)
	if err != nil {
		return "", time.Time{}, err
	}
	i := strings.LastIndex(inner, t.s.sep)
	if i < 0 {
		return "", time.Time{}, badSignature(fmt.Sprintf("no %q before the timestamp", t.s.sep))
	}
	sec, err := base62Decode(inner[i+len(t.s.sep):])
	if err != nil {
		return "", time.Time{}, badSignature("malformed timestamp")
	}
	return inner[:i], time.Unix(sec, 0), nil
}
