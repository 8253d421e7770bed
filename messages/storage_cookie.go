package messages

import (
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tetherweb/tether/cookie"
	"github.com/tetherweb/tether/internal/logval"
	"github.com/tetherweb/tether/proxy"
	"github.com/tetherweb/tether/signing"
)

// Defaults of a CookieStorage, Django's.
const (
	// DefaultCookieName is the name of the messages cookie.
	DefaultCookieName = "messages"
	// DefaultMaxCookieSize is the budget for the cookie's value in bytes
	// (Django's CookieStorage.max_cookie_size).
	DefaultMaxCookieSize = 2048
	// DjangoCookieSalt is the salt Django signs the messages cookie with.
	DjangoCookieSalt = "django.contrib.messages"
)

// djangoCookieKeyPrefix is what Django's get_cookie_signer puts before
// SECRET_KEY (and each fallback key).
const djangoCookieKeyPrefix = "django.http.cookies"

// CookieStorage keeps the messages in a signed cookie, readable by the
// client but not changeable. The value is Django's: signing.TimestampSigner
// with the key "django.http.cookies" + Key and the salt DjangoCookieSalt,
// over the zlib-compressed JSON list of messages, so a Django site with the
// same SECRET_KEY reads and writes the same cookie.
//
// When the messages do not fit in MaxCookieSize, the oldest are dropped
// (and logged) and the cookie ends with Django's marker that more were
// pending; FallbackStorage avoids the loss by moving the overflow into the
// session. The cookie has no expiry (it ends with the browser) and is
// deleted once its messages are read; a request that carried no messages
// cookie never gets a deletion.
//
// Set Key before the Manager's Middleware is built and change nothing
// afterwards.
type CookieStorage struct {
	// Key is the secret (Django's SECRET_KEY). Required.
	Key []byte
	// FallbackKeys are old secrets still accepted when reading
	// (SECRET_KEY_FALLBACKS); the cookie is always signed with Key.
	FallbackKeys [][]byte
	// Name is the cookie's name (default "messages").
	Name string
	// Options are the cookie's attributes (Path, Domain, Secure, SameSite).
	// Django gives the messages cookie the session cookie's Domain, Secure,
	// HttpOnly and SameSite settings and Path=/. MaxAge is ignored: the
	// cookie ends with the browser session. As with the session and CSRF
	// cookies, the cookie is Secure on every request that came over HTTPS
	// (proxy.IsHTTPS) even when Secure is off; set Secure to keep it off
	// plain HTTP altogether.
	Options cookie.Options
	// MaxCookieSize is the budget for the cookie's value in bytes (default
	// 2048). Browsers refuse a cookie over 4096 bytes, name and attributes
	// included: a budget that does not leave room for them is a
	// configuration error (Middleware panics). Keep it well under that:
	// the cookie travels with every request.
	MaxCookieSize int
	// Now replaces time.Now for the signature's timestamp (tests).
	Now func() time.Time

	once   sync.Once
	err    error
	signer *signing.TimestampSigner
}

// NewCookieStorage returns a CookieStorage with Django's settings for the
// secret key and, optionally, old keys still accepted when reading.
func NewCookieStorage(key []byte, fallbackKeys ...[]byte) *CookieStorage {
	return &CookieStorage{Key: key, FallbackKeys: fallbackKeys}
}

func (c *CookieStorage) init() error {
	c.once.Do(func() {
		if len(c.Key) == 0 {
			c.err = errors.New("messages: CookieStorage.Key is empty")
			return
		}
		if c.Name == "" {
			c.Name = DefaultCookieName
		}
		if c.MaxCookieSize <= 0 {
			c.MaxCookieSize = DefaultMaxCookieSize
		}
		c.Options.MaxAge = 0
		// A value of the full budget must make a cookie browsers keep,
		// with the longest attributes it is ever sent with (Secure),
		// or a full cookie would be refused at run time and its
		// messages lost.
		full := c.Options
		full.Secure = true
		if _, err := cookie.New(c.Name, strings.Repeat("x", c.MaxCookieSize), full); err != nil {
			c.err = errorf("cookie settings (MaxCookieSize %d): %w", c.MaxCookieSize, err)
			return
		}
		fallbacks := make([][]byte, len(c.FallbackKeys))
		for i, k := range c.FallbackKeys {
			fallbacks[i] = cookieKey(k)
		}
		opts := []signing.Option{
			signing.WithSalt(DjangoCookieSalt),
			signing.WithCompression(true),
			signing.WithFallbackKeys(fallbacks...),
		}
		if c.Now != nil {
			opts = append(opts, signing.WithClock(c.Now))
		}
		c.signer, c.err = signing.NewTimestampSigner(cookieKey(c.Key), opts...)
		if c.err != nil {
			c.err = errorf("cookie: %w", c.err)
		}
	})
	return c.err
}

// cookieKey returns the key Django's get_cookie_signer signs with.
func cookieKey(k []byte) []byte {
	return append([]byte(djangoCookieKeyPrefix), k...)
}

func (c *CookieStorage) needsSession() bool { return false }

func (c *CookieStorage) load(st *state) []Message {
	msgs, _ := c.read(st)
	return msgs
}

func (c *CookieStorage) store(st *state, msgs []Message) {
	if lost := c.write(st, msgs, true); len(lost) > 0 {
		st.log(slog.LevelWarn, "messages: cookie full; oldest messages dropped",
			slog.Int("dropped", len(lost)), slog.Int("kept", len(msgs)-len(lost)))
	}
}

// read returns the messages of the request's cookie and whether it ends
// with the not-finished marker. A cookie that does not verify or decode is
// logged, counts as absent, and is deleted when the messages are stored.
func (c *CookieStorage) read(st *state) ([]Message, bool) {
	v, ok := cookie.Value(st.r, c.Name)
	if !ok {
		return nil, false
	}
	st.cookieSent = true
	if v == "" {
		return nil, false
	}
	msgs, more, err := c.decode(v, st.m.tags)
	if err != nil {
		st.log(slog.LevelWarn, "messages: cookie rejected; ignoring it", slog.String("event", EventCookieRejected), logval.Error(err))
		st.dirty = true
		return nil, false
	}
	st.cookieHad = true
	return msgs, more
}

// decode verifies and decodes a cookie value.
func (c *CookieStorage) decode(v string, tags map[Level]string) ([]Message, bool, error) {
	payload, err := c.signer.UnsignBytes(v, 0) // Django applies no maximum age
	if err != nil {
		return nil, false, errorf("cookie: %w", err)
	}
	msgs, more, err := decodeList(payload, tags)
	if err != nil {
		return nil, false, errorf("cookie: %w", err)
	}
	return msgs, more, nil
}

// write sets the cookie to msgs, or deletes it (only if the request had
// one) when there are none, and returns the messages that did not fit: the
// oldest when removeOldest is set, else the newest.
func (c *CookieStorage) write(st *state, msgs []Message, removeOldest bool) []Message {
	opts := c.options(st.r)
	if len(msgs) == 0 {
		if st.cookieSent {
			cookie.Delete(st.w, c.Name, opts)
		}
		return nil
	}
	value, unstored := c.encode(msgs, removeOldest)
	if err := cookie.Set(st.w, c.Name, value, opts); err != nil {
		st.log(slog.LevelError, "messages: cannot set the cookie", logval.Error(err))
		if st.cookieSent {
			cookie.Delete(st.w, c.Name, opts)
		}
		return msgs
	}
	return unstored
}

// options are the cookie's attributes for r's response: Options, Secure
// also whenever r came over HTTPS, as the session and CSRF cookies.
func (c *CookieStorage) options(r *http.Request) cookie.Options {
	opts := c.Options
	opts.Secure = opts.Secure || proxy.IsHTTPS(r)
	return opts
}

// encode returns the cookie value for msgs and the messages left out to
// fit MaxCookieSize, as Django's CookieStorage._store (5.0's form: each
// message is serialized once and the cut is found by binary search). When
// messages are left out, the value ends with the not-finished marker, even
// if no message is left.
func (c *CookieStorage) encode(msgs []Message, removeOldest bool) (string, []Message) {
	value := c.signer.SignBytes(encodeList(msgs, false, false))
	if len(value) <= c.MaxCookieSize {
		return value, nil
	}
	parts := make([][]byte, len(msgs))
	for i, m := range msgs {
		parts[i] = appendMessage(nil, m, false)
	}
	sign := func(parts [][]byte) string {
		n := len(notFinished) + 4
		for _, p := range parts {
			n += len(p) + 1
		}
		buf := make([]byte, 0, n)
		buf = append(buf, '[')
		for _, p := range parts {
			buf = append(buf, p...)
			buf = append(buf, ',')
		}
		buf = append(buf, `"`+notFinished+`"]`...)
		return c.signer.SignBytes(buf)
	}
	fits := func(v string) bool { return len(v) <= c.MaxCookieSize }
	n := len(msgs)
	if removeOldest {
		// The fewest oldest messages to drop.
		i := sort.Search(n+1, func(i int) bool { return fits(sign(parts[i:])) })
		i = min(i, n)
		return sign(parts[i:]), msgs[:i]
	}
	// The most oldest messages to keep.
	k := sort.Search(n+1, func(k int) bool { return !fits(sign(parts[:k])) }) - 1
	k = max(k, 0)
	return sign(parts[:k]), msgs[k:]
}
