package signing

import "time"

// Option configures a Signer, TimestampSigner, Cipher, Dumps or Loads.
// Options that do not apply to a constructor are ignored by it.
type Option func(*config)

type config struct {
	salt        string
	saltSet     bool
	sep         string
	alg         Algorithm
	fallbacks   [][]byte
	now         func() time.Time
	serializer  Serializer
	compress    bool
	maxAge      time.Duration
	maxInflated int
}

// DefaultMaxDecompressedSize bounds how many bytes a compressed payload may
// inflate to (8 MiB), so a small forged-but-signed value cannot exhaust
// memory. Change it with WithMaxDecompressedSize.
const DefaultMaxDecompressedSize = 8 << 20

func newConfig(defaultSalt string, opts []Option) config {
	c := config{salt: defaultSalt, sep: ":", now: time.Now, maxInflated: DefaultMaxDecompressedSize}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.serializer == nil {
		c.serializer = JSON
	}
	if c.salt == "" {
		c.salt = defaultSalt // Django: salt or default
	}
	return c
}

// WithSalt sets the salt, a namespace that keeps a value signed for one
// purpose from verifying for another. Each constructor documents its
// default (Django's: "django.core.signing.Signer", ...); an empty salt means
// the default, as in Django.
func WithSalt(salt string) Option {
	return func(c *config) { c.salt, c.saltSet = salt, true }
}

// WithSeparator sets the separator between value, timestamp and signature
// (default ":"). It must not be empty nor made only of characters that can
// appear in a signature (Django's rule: not matching ^[A-z0-9-_=]*$).
func WithSeparator(sep string) Option {
	return func(c *config) { c.sep = sep }
}

// WithAlgorithm sets the HMAC hash (default SHA256).
func WithAlgorithm(a Algorithm) Option {
	return func(c *config) { c.alg = a }
}

// WithFallbackKeys adds old secrets that are still accepted when verifying
// or opening, tried in order after the current key; they are never used to
// sign or seal. This is Django's SECRET_KEY_FALLBACKS.
func WithFallbackKeys(keys ...[]byte) Option {
	return func(c *config) {
		for _, k := range keys {
			c.fallbacks = append(c.fallbacks, append([]byte(nil), k...))
		}
	}
}

// WithClock replaces time.Now for timestamps (useful in tests).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithSerializer replaces the JSON serializer used for signed objects.
func WithSerializer(s Serializer) Option {
	return func(c *config) { c.serializer = s }
}

// WithCompression makes SignObject and Dumps zlib-compress the payload when
// that saves at least two bytes (Django's compress=True).
func WithCompression(on bool) Option {
	return func(c *config) { c.compress = on }
}

// WithMaxAge makes Loads refuse values older than d with ErrExpired
// (d <= 0: no limit, the default).
func WithMaxAge(d time.Duration) Option {
	return func(c *config) { c.maxAge = d }
}

// WithMaxDecompressedSize bounds the size a compressed payload may inflate
// to; larger payloads fail with ErrTooLarge. n <= 0 restores the default.
func WithMaxDecompressedSize(n int) Option {
	return func(c *config) {
		if n <= 0 {
			n = DefaultMaxDecompressedSize
		}
		c.maxInflated = n
	}
}
