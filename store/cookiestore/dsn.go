package cookiestore

import (
	"errors"

	"github.com/tetherweb/tether/store/dsn"
)

// init registers the DSN scheme "cookie" ("cookie:", the session in a
// cookie encrypted with Options.SecretKey) with store/dsn.
func init() { dsn.Register("cookie", openDSN) }

func openDSN(_ string, o dsn.Options) (*dsn.Opened, error) {
	if len(o.SecretKey) == 0 {
		return nil, errors.New("dsn: cookie: needs a secret key")
	}
	s, err := NewEncrypted(o.SecretKey)
	if err != nil {
		return nil, err
	}
	return &dsn.Opened{Cookie: s}, nil
}
