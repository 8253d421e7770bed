package djangoauth

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tetherweb/tether/session"
)

// PasswordLookup finds the stored password hash (Django's
// auth_user.password) of the user with primary key userID. found is false
// when there is no such user, or when Django's backend would not return
// them (ModelBackend refuses users whose is_active is false).
type PasswordLookup func(ctx context.Context, userID string) (passwordHash string, found bool, err error)

// Login is a login as a session holds it, not yet verified.
type Login struct {
	UserID  string // _auth_user_id
	Backend string // _auth_user_backend
	Hash    string // _auth_user_hash
}

// SessionLogin returns the login session s holds, unverified, and whether
// it holds one (a user ID and a backend, as Django requires). A value of
// the wrong type counts as absent. Use Auth.User to know who is logged in.
func SessionLogin(s *session.Session) (Login, bool) {
	var l Login
	var okID, okBackend bool
	l.UserID, okID = textValue(s, UserIDKey)
	l.Backend, okBackend = textValue(s, BackendKey)
	l.Hash, _ = textValue(s, HashKey)
	return l, okID && okBackend && l.UserID != ""
}

// textValue reads a string value, or an integer one as its digits (a
// primary key some other writer stored as a number).
func textValue(s *session.Session, key string) (string, bool) {
	var raw json.RawMessage
	if found, err := s.Get(key, &raw); !found || err != nil {
		return "", false
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		if _, err := n.Int64(); err == nil {
			return n.String(), true
		}
	}
	return "", false
}

// User returns the primary key of the user logged in on session s, or ""
// for nobody, as Django's get_user decides:
//
//   - no user ID or no backend in the session, or a backend not in
//     a.Backends: nobody (the session is left alone);
//   - lookup finds no such user: nobody (left alone);
//   - the session auth hash does not verify against the user's password
//     hash (the password changed since the login, or the hash was forged):
//     nobody, and the session is flushed, so the login is over for Django
//     too;
//   - it verifies with one of a.FallbackKeys (Django 4.1.8+): the user,
//     and the session gets a new key and the hash under a.SecretKey.
//
// Errors are lookup's, and the session's (a store failure, no
// middleware); with an error the user ID is "".
func (a *Auth) User(ctx context.Context, s *session.Session, lookup PasswordLookup) (string, error) {
	l, ok := SessionLogin(s)
	if !ok || !a.backendAllowed(l.Backend) {
		return "", nil
	}
	passwordHash, found, err := lookup(ctx, l.UserID)
	if err != nil {
		return "", fmt.Errorf("djangoauth: user: look up %q: %w", l.UserID, err)
	}
	if !found {
		return "", nil
	}
	verified, current := a.VerifyHash(l.Hash, passwordHash)
	switch {
	case !verified:
		if err := s.Flush(); err != nil {
			return "", fmt.Errorf("djangoauth: user: flush the session of a stale login: %w", err)
		}
		return "", nil
	case !current:
		if err := s.CycleKey(); err != nil {
			return "", fmt.Errorf("djangoauth: user: cycle the key: %w", err)
		}
		if err := s.Set(HashKey, SessionAuthHash(passwordHash, a.SecretKey)); err != nil {
			return "", fmt.Errorf("djangoauth: user: renew the hash: %w", err)
		}
	}
	return l.UserID, nil
}
