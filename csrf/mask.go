package csrf

import "crypto/rand"

// Django's CSRF values are strings over a 62-letter alphabet. Its order is
// part of the format: masking adds letter indexes modulo 62.
const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

const (
	// SecretLength is the length of a CSRF secret: 32 letters of
	// [a-zA-Z0-9], the value the cookie (or the session) holds.
	SecretLength = 32
	// TokenLength is the length of a masked token: a fresh 32-letter mask
	// followed by the secret enciphered with it, 64 letters in all.
	TokenLength = 2 * SecretLength
)

// index maps a byte to its position in alphabet, or -1.
var index = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = int8(i)
	}
	return t
}()

// formatError says why a value is not a secret or a token. The texts are
// the ends of Django's reason strings ("CSRF token from POST has
// incorrect length.").
type formatError uint8

const (
	formatOK formatError = iota
	formatLength
	formatChars
)

func (f formatError) String() string {
	if f == formatLength {
		return "has incorrect length"
	}
	return "has invalid characters"
}

// checkFormat reports whether s has the form of a secret (32 letters) or
// a masked token (64 letters). The length is judged first, as Django does,
// so an oversize value is never scanned.
func checkFormat(s string) formatError {
	if len(s) != SecretLength && len(s) != TokenLength {
		return formatLength
	}
	for i := 0; i < len(s); i++ {
		if index[s[i]] < 0 {
			return formatChars
		}
	}
	return formatOK
}

// decode reads a secret or a masked token into the secret it stands for.
// Both forms are accepted wherever a secret is read, as Django 4.0+ does:
// a 32-letter value is the secret itself, a 64-letter one is unmasked.
func decode(dst *[SecretLength]byte, s string) formatError {
	if f := checkFormat(s); f != formatOK {
		return f
	}
	if len(s) == SecretLength {
		copy(dst[:], s)
		return formatOK
	}
	unmask(dst, s)
	return formatOK
}

// unmask undoes mask: secret[i] = cipher[i] - mask[i] (mod 62), where the
// token is mask ‖ cipher. token must have passed checkFormat with length
// TokenLength.
func unmask(dst *[SecretLength]byte, token string) {
	m, c := token[:SecretLength], token[SecretLength:]
	for i := range dst {
		d := int(index[c[i]]) - int(index[m[i]])
		if d < 0 {
			d += len(alphabet)
		}
		dst[i] = alphabet[d]
	}
}

// mask returns a fresh masking of secret: a random 32-letter mask followed
// by cipher[i] = secret[i] + mask[i] (mod 62). Every call gives a
// different token for the same secret, so a page's token changes on every
// response (the BREACH mitigation): compression cannot reveal it
// letter by letter.
func mask(secret *[SecretLength]byte) string {
	var buf [TokenLength]byte
	randomLetters(buf[:SecretLength])
	for i := range SecretLength {
		buf[SecretLength+i] = alphabet[(int(index[secret[i]])+int(index[buf[i]]))%len(alphabet)]
	}
	return string(buf[:])
}

// randomLetters fills dst with letters of alphabet drawn uniformly from
// crypto/rand. Bytes of 248 and above are dropped (248 = 4 × 62), so that
// every letter is equally likely.
func randomLetters(dst []byte) {
	var pool [64]byte
	n := len(pool)
	for i := 0; i < len(dst); {
		if n == len(pool) {
			rand.Read(pool[:]) // never fails (Go 1.24+): it crashes the program instead
			n = 0
		}
		b := pool[n]
		n++
		if b < 248 {
			dst[i] = alphabet[b%62]
			i++
		}
	}
}

// newSecret draws a new 32-letter secret.
func newSecret(dst *[SecretLength]byte) { randomLetters(dst[:]) }
