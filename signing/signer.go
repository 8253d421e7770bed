package signing

import (
	"crypto/hmac"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
)

// DefaultSignerSalt is the salt of a Signer built without WithSalt, the
// same as Django's Signer().
const DefaultSignerSalt = "django.core.signing.Signer"

// Signer signs strings with HMAC and verifies them, as Django's Signer.
// A signed value is the value, the separator and the URL-safe base64
// signature without padding.
//
// A Signer is immutable and safe for concurrent use.
type Signer struct {
	sep    string
	salt   string
	alg    Algorithm
	keys   []*macKey // keys[0] signs; all verify, in order
	sigLen int       // length of an encoded signature
}

// macKey holds one derived HMAC key and a pool of HMAC states keyed with it,
// so signing does not rebuild the inner and outer pads on every call.
type macKey struct {
	pool sync.Pool
}

func newMACKey(newHash func() hash.Hash, derived []byte) *macKey {
	k := &macKey{}
	k.pool.New = func() any { return hmac.New(newHash, derived) }
	return k
}

// sum appends the HMAC of value to dst.
func (k *macKey) sum(dst []byte, value string) []byte {
	h := k.pool.Get().(hash.Hash)
	h.Reset()
	if sw, ok := h.(interface{ WriteString(string) (int, error) }); ok {
		sw.WriteString(value)
	} else {
		h.Write([]byte(value))
	}
	dst = h.Sum(dst)
	k.pool.Put(h)
	return dst
}

// deriveKey is Django's salted_hmac key step: H(key_salt + secret).
func deriveKey(newHash func() hash.Hash, keySalt string, secret []byte) []byte {
	h := newHash()
	h.Write([]byte(keySalt))
	h.Write(secret)
	return h.Sum(nil)
}

// SaltedHMAC is Django's salted_hmac(key_salt, value, secret, algorithm):
// HMAC-H(H(keySalt + secret), value). Django uses its hex form for the
// session auth hash and for legacy formats.
func SaltedHMAC(alg Algorithm, keySalt string, value, secret []byte) ([]byte, error) {
	newHash, err := alg.newHash()
	if err != nil {
		return nil, err
	}
	m := hmac.New(newHash, deriveKey(newHash, keySalt, secret))
	m.Write(value)
	return m.Sum(nil), nil
}

// NewSigner returns a Signer for the secret key. Options: WithSalt (default
// DefaultSignerSalt), WithSeparator (default ":"), WithAlgorithm (default
// SHA256) and WithFallbackKeys.
func NewSigner(key []byte, opts ...Option) (*Signer, error) {
	c := newConfig(DefaultSignerSalt, opts)
	return newSigner(key, &c)
}

func newSigner(key []byte, c *config) (*Signer, error) {
	if len(key) == 0 {
		return nil, errors.New("signing: the secret key is empty")
	}
	if !safeSeparator(c.sep) {
		return nil, fmt.Errorf("signing: unsafe separator %q (cannot be empty or consist of only A-z0-9-_=)", c.sep)
	}
	newHash, err := c.alg.newHash()
	if err != nil {
		return nil, err
	}
	s := &Signer{sep: c.sep, salt: c.salt, alg: c.alg}
	s.sigLen = base64.RawURLEncoding.EncodedLen(newHash().Size())
	keySalt := c.salt + "signer"
	for _, k := range append([][]byte{key}, c.fallbacks...) {
		s.keys = append(s.keys, newMACKey(newHash, deriveKey(newHash, keySalt, k)))
	}
	return s, nil
}

// safeSeparator applies Django's rule: a separator is refused when it
// matches ^[A-z0-9-_=]*$. The range A-z includes [ \ ] ^ _ and the backtick.
func safeSeparator(sep string) bool {
	for i := 0; i < len(sep); i++ {
		c := sep[i]
		inSet := (c >= 'A' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '='
		if !inSet {
			return true
		}
	}
	return false
}

// Salt returns the signer's salt.
func (s *Signer) Salt() string { return s.salt }

// Separator returns the signer's separator.
func (s *Signer) Separator() string { return s.sep }

// Signature returns the signature of value under the current key.
func (s *Signer) Signature(value string) string {
	var buf [128]byte
	return string(s.appendSignature(buf[:0], s.keys[0], value))
}

func (s *Signer) appendSignature(dst []byte, k *macKey, value string) []byte {
	var sum [64]byte
	mac := k.sum(sum[:0], value)
	return base64.RawURLEncoding.AppendEncode(dst, mac)
}

// Sign returns value + separator + signature.
func (s *Signer) Sign(value string) string {
	var b strings.Builder
	b.Grow(len(value) + len(s.sep) + s.sigLen)
	b.WriteString(value)
	b.WriteString(s.sep)
	var buf [128]byte
	b.Write(s.appendSignature(buf[:0], s.keys[0], value))
	return b.String()
}

// Unsign verifies a value produced by Sign and returns the value without its
// signature. The signature is checked in constant time against the current
// key and then each fallback key. Any failure wraps ErrBadSignature.
func (s *Signer) Unsign(signed string) (string, error) {
	i := strings.LastIndex(signed, s.sep)
	if i < 0 {
		return "", badSignature(fmt.Sprintf("no %q found in value", s.sep))
	}
	value, sig := signed[:i], signed[i+len(s.sep):]
	if s.Verify(value, sig) {
		return value, nil
	}
	return "", badSignature("signature does not match")
}

// Verify reports whether sig is a valid signature of value under the
// current or a fallback key, comparing in constant time.
func (s *Signer) Verify(value, sig string) bool {
	if len(sig) != s.sigLen {
		return false
	}
	// Copy the candidate to the stack so the comparison does not allocate.
	var got, buf [128]byte
	n := copy(got[:], sig)
	ok := 0
	for _, k := range s.keys {
		want := s.appendSignature(buf[:0], k, value)
		ok |= subtle.ConstantTimeCompare(want, got[:n])
	}
	return ok == 1
}
