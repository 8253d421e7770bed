package cookie

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tetherweb/tether/signing"
)

// encryptedPurpose binds Encrypted's keys to this use.
const encryptedPurpose = "tether.cookie.Encrypted"

// Encrypted writes and reads cookies whose value is sealed with
// authenticated encryption: the client can neither read nor change it.
// The cookie name is bound to the sealed value, so a value cannot be moved
// to another cookie, and the time of sealing is inside it, so Get can
// enforce a maximum age.
//
// Set Key before first use; do not change the fields after first use. Its
// methods are safe for concurrent use.
type Encrypted struct {
	// Key is the secret. Required.
	Key []byte
	// FallbackKeys are old secrets still accepted when reading.
	FallbackKeys [][]byte
	// Options are the attributes of the cookies Set writes.
	Options Options
	// Logger receives a warning for every cookie that fails in GetDefault
	// (nil: slog.Default()).
	Logger *slog.Logger
	// Now replaces time.Now (tests).
	Now func() time.Time

	once   sync.Once
	cipher *signing.Cipher
	err    error
}

func (e *Encrypted) init() error {
	e.once.Do(func() {
		e.cipher, e.err = signing.NewCipher(e.Key,
			signing.WithSalt(encryptedPurpose), signing.WithFallbackKeys(e.FallbackKeys...))
	})
	return e.err
}

func (e *Encrypted) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// Set writes the cookie name with value sealed. The value may hold any
// bytes.
func (e *Encrypted) Set(w http.ResponseWriter, name, value string) error {
	if err := e.init(); err != nil {
		return err
	}
	plain := strconv.FormatInt(e.now().Unix(), 36) + ":" + value
	return Set(w, name, e.cipher.Seal([]byte(plain), []byte(name)), e.Options)
}

// Get returns the opened value of the cookie name: http.ErrNoCookie when
// absent, an error matching signing.ErrDecrypt when it does not open, and
// one matching signing.ErrExpired when maxAge > 0 and it was sealed longer
// ago than that.
func (e *Encrypted) Get(r *http.Request, name string, maxAge time.Duration) (string, error) {
	raw, ok := Value(r, name)
	if !ok {
		return "", http.ErrNoCookie
	}
	if err := e.init(); err != nil {
		return "", err
	}
	plain, err := e.cipher.Open(raw, []byte(name))
	if err != nil {
		return "", err
	}
	ts, value, ok := strings.Cut(string(plain), ":")
	sec, perr := strconv.ParseInt(ts, 36, 64)
	if !ok || perr != nil {
		return "", fmt.Errorf("%w: malformed timestamp", signing.ErrDecrypt)
	}
	if maxAge > 0 {
		if age := e.now().Sub(time.Unix(sec, 0)); age > maxAge {
			return "", &signing.ExpiredError{Age: age, MaxAge: maxAge}
		}
	}
	return value, nil
}

// GetDefault is Get that returns def on any failure; failures other than a
// missing cookie are logged as warnings.
func (e *Encrypted) GetDefault(r *http.Request, name string, maxAge time.Duration, def string) string {
	return getDefault(e.Get, e.Logger, r, name, maxAge, def)
}

// Delete removes the cookie name (with the same Path and Domain as Set).
func (e *Encrypted) Delete(w http.ResponseWriter, name string) {
	Delete(w, name, e.Options)
}
