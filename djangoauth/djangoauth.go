// Package djangoauth tells a Go service which Django user a shared session
// belongs to, and logs users in so that Django sees them logged in.
//
// Django's auth (django.contrib.auth) keeps a login in three session keys:
// "_auth_user_id" (the user's primary key as a string), "_auth_user_backend"
// (the dotted path of the authentication backend) and "_auth_user_hash",
// the session auth hash: an HMAC of the user's stored password hash
// (auth_user.password, e.g. "pbkdf2_sha256$260000$…") under SECRET_KEY, so
// that a password change ends every other session. With a session shared
// with Django (session.NewDjangoCodec on Django's table, or
// cookiestore.NewSigned), [Auth.User] reads and verifies a login exactly as
// Django's get_user does, and [Auth.Login] writes one as Django's
// auth.login does.
//
// The package never reads a database: the caller looks the user's password
// hash up (Django's auth_user table, or its own copy) and hands it over.
package djangoauth

import (
	"crypto/hmac"
	"encoding/hex"
	"strings"

	"github.com/tetherweb/tether/signing"
)

// The session keys of a Django login.
const (
	// UserIDKey holds the user's primary key, as a string ("7").
	UserIDKey = "_auth_user_id"
	// BackendKey holds the dotted path of the backend that authenticated
	// the user.
	BackendKey = "_auth_user_backend"
	// HashKey holds the session auth hash (64 lowercase hex digits).
	HashKey = "_auth_user_hash"
)

// ModelBackend is Django's default authentication backend, the default of
// Auth.Backends and of Login's backend.
const ModelBackend = "django.contrib.auth.backends.ModelBackend"

// HashSalt is the salt of Django's session auth hash
// (AbstractBaseUser.get_session_auth_hash).
const HashSalt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"

// SessionAuthHash returns Django's session auth hash of a user whose
// stored password hash is passwordHash, under secretKey:
// salted_hmac(HashSalt, passwordHash, secretKey, "sha256").hexdigest().
func SessionAuthHash(passwordHash string, secretKey []byte) string {
	mac, err := signing.SaltedHMAC(signing.SHA256, HashSalt, []byte(passwordHash), secretKey)
	if err != nil {
		// SHA-256 is always available; SaltedHMAC fails only for an
		// unknown algorithm.
		panic("djangoauth: " + err.Error())
	}
	return hex.EncodeToString(mac)
}

// Auth verifies and writes Django logins. Set SecretKey; the other fields
// are optional. It is safe for concurrent use once configured.
type Auth struct {
	// SecretKey is Django's SECRET_KEY.
	SecretKey []byte
	// FallbackKeys are Django's SECRET_KEY_FALLBACKS (Django 4.1.8+): a
	// session auth hash made with one of them is accepted, and the
	// session then gets a new key and the hash made with SecretKey, as
	// Django's get_user does. Never used to write a hash.
	FallbackKeys [][]byte
	// Backends are Django's AUTHENTICATION_BACKENDS (default
	// [ModelBackend]): a login by any other backend is no login.
	Backends []string
}

// VerifyHash reports whether hash is the session auth hash of passwordHash
// under SecretKey (current true) or one of FallbackKeys (current false).
// The comparisons take constant time. An empty hash never verifies.
func (a *Auth) VerifyHash(hash, passwordHash string) (ok, current bool) {
	if hash == "" {
		return false, false
	}
	if equalHash(hash, SessionAuthHash(passwordHash, a.SecretKey)) {
		return true, true
	}
	for _, k := range a.FallbackKeys {
		if equalHash(hash, SessionAuthHash(passwordHash, k)) {
			return true, false
		}
	}
	return false, false
}

// equalHash compares two hex digests in constant time (Django's
// constant_time_compare: the text as it is).
func equalHash(a, b string) bool {
	return hmac.Equal([]byte(a), []byte(b))
}

// backendAllowed reports whether backend is one of a.Backends.
func (a *Auth) backendAllowed(backend string) bool {
	if len(a.Backends) == 0 {
		return backend == ModelBackend
	}
	for _, b := range a.Backends {
		if b == backend {
			return true
		}
	}
	return false
}

// validUserID bounds what Login accepts as a primary key: non-empty, at
// most 255 bytes, no control characters (Django's keys are integers,
// UUIDs or short strings).
func validUserID(id string) bool {
	return id != "" && len(id) <= 255 && !strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f })
}
