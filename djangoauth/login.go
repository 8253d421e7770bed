package djangoauth

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/session"
)

// Login logs the user with primary key userID and stored password hash
// passwordHash in on r's session, as Django's auth.login does, so that
// Django sees them logged in:
//
//   - a session already logged in as another user (another ID, or a hash
//     that is not this user's current one) is flushed: its data is dropped
//     and it gets a new key;
//   - a session logged in as this same user keeps its key and data;
//   - any other session keeps its data under a new key (session
//     fixation);
//
// then the three keys are set (backend "" means ModelBackend) and the
// CSRF secret is rotated (csrf.Rotate; with the secret kept in the session
// the new one goes into the new session), so forms rendered before the
// login stop working. Without CSRF middleware there is nothing to rotate.
// The session and CSRF middleware must wrap the handler.
func (a *Auth) Login(r *http.Request, userID, backend, passwordHash string) error {
	if !validUserID(userID) {
		return fmt.Errorf("djangoauth: login: invalid user ID %.40q", userID)
	}
	if backend == "" {
		backend = ModelBackend
	}
	s := session.From(r)
	hash := SessionAuthHash(passwordHash, a.SecretKey)
	var err error
	if s.Has(UserIDKey) {
		held, _ := SessionLogin(s)
		if held.UserID != userID || !equalHash(held.Hash, hash) {
			err = s.Flush()
		}
	} else {
		err = s.CycleKey()
	}
	if err != nil {
		return fmt.Errorf("djangoauth: login: %w", err)
	}
	for _, kv := range [][2]string{{UserIDKey, userID}, {BackendKey, backend}, {HashKey, hash}} {
		if err := s.Set(kv[0], kv[1]); err != nil {
			return fmt.Errorf("djangoauth: login: %w", err)
		}
	}
	if err := csrf.Rotate(r); err != nil && !errors.Is(err, csrf.ErrNoMiddleware) {
		return fmt.Errorf("djangoauth: login: rotate the CSRF token: %w", err)
	}
	return nil
}

// Logout ends r's login as Django's auth.logout does: the session is
// flushed (data dropped, record deleted, cookie removed).
func Logout(r *http.Request) error {
	if err := session.From(r).Flush(); err != nil {
		return fmt.Errorf("djangoauth: logout: %w", err)
	}
	return nil
}
