package session

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
)

// KeyLength is the length of a session key: 32 characters of [a-z0-9], the
// form Django uses (about 165 bits of entropy).
const KeyLength = 32

const keyAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// NewKey returns a fresh random session key from crypto/rand.
func NewKey() string {
	var b [KeyLength]byte
	// Rejection sampling keeps every character uniform: 252 = 7*36.
	var r [KeyLength * 2]byte
	n := 0
	for n < KeyLength {
		rand.Read(r[:])
		for _, c := range r {
			if c < 252 && n < KeyLength {
				b[n] = keyAlphabet[c%36]
				n++
			}
		}
	}
	return string(b[:])
}

// ValidKey reports whether key has the form of a session key. Anything else
// a client sends is ignored without asking the store, which also keeps
// arbitrary text out of file names and queries.
func ValidKey(key string) bool {
	if len(key) != KeyLength {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// HashKey returns the form under which stores that hash keys at rest keep
// a session key: the lowercase hex SHA-256 of the key (64 characters).
// Holding the stored ID does not let anyone present the session.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
