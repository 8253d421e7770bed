package signing

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// DefaultCipherSalt is the purpose a Cipher is bound to without WithSalt.
const DefaultCipherSalt = "tether.signing.Cipher"

// cipherVersion is the first byte of every sealed value, so the format can
// change without ambiguity.
const cipherVersion = 1

// Cipher seals values with XChaCha20-Poly1305 (authenticated encryption):
// the holder of a sealed value can neither read nor alter it. Its 192-bit
// random nonces can be drawn without any bookkeeping for as many values as
// a site will ever seal, unlike AES-GCM's 96-bit ones.
//
// Each 256-bit key is derived with HKDF-SHA256 from a secret and the salt,
// so one secret can serve several purposes whose sealed values never open
// for one another. A sealed value is URL-safe base64 (no padding) of
// version(1) | nonce(24) | ciphertext | tag(16): 55 characters of overhead.
//
// A Cipher is immutable and safe for concurrent use.
type Cipher struct {
	aeads []cipher.AEAD // [0] seals; all open, in order
}

// NewCipher returns a Cipher for the secret key. Options: WithSalt (the
// purpose, default DefaultCipherSalt) and WithFallbackKeys (old secrets still
// accepted by Open, never used by Seal).
func NewCipher(key []byte, opts ...Option) (*Cipher, error) {
	c := newConfig(DefaultCipherSalt, opts)
	if len(key) == 0 {
		return nil, errors.New("signing: the secret key is empty")
	}
	ci := &Cipher{}
	for _, k := range append([][]byte{key}, c.fallbacks...) {
		dk, err := hkdf.Key(sha256.New, k, nil, "tether cipher v1: "+c.salt, chacha20poly1305.KeySize)
		if err != nil {
			return nil, fmt.Errorf("signing: derive cipher key: %w", err)
		}
		aead, err := chacha20poly1305.NewX(dk)
		if err != nil {
			return nil, fmt.Errorf("signing: cipher: %w", err)
		}
		ci.aeads = append(ci.aeads, aead)
	}
	return ci, nil
}

// Overhead is the number of bytes Seal adds to a plaintext before base64.
const Overhead = 1 + chacha20poly1305.NonceSizeX + chacha20poly1305.Overhead

// Seal encrypts and authenticates plaintext, binding it to additionalData
// (which is not encrypted and must be given again to Open; a cookie name is
// a good choice, so a value cannot be moved to another cookie).
func (c *Cipher) Seal(plaintext, additionalData []byte) string {
	return b64Encode(c.SealBytes(plaintext, additionalData))
}

// SealBytes is Seal without the base64: the sealed bytes themselves, for
// storage that keeps binary data.
func (c *Cipher) SealBytes(plaintext, additionalData []byte) []byte {
	aead := c.aeads[0]
	buf := make([]byte, 1+aead.NonceSize(), Overhead+len(plaintext))
	buf[0] = cipherVersion
	rand.Read(buf[1:]) // never fails (crypto/rand panics on an unusable source)
	return aead.Seal(buf, buf[1:], plaintext, additionalData)
}

// Open authenticates and decrypts a value made by Seal with the same
// additional data, trying the current key and then each fallback key. Any
// failure (bad base64, truncation, tampering, wrong key, wrong purpose or
// additional data) wraps ErrDecrypt.
func (c *Cipher) Open(sealed string, additionalData []byte) ([]byte, error) {
	raw, err := b64DecodeCanonical(sealed)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64", ErrDecrypt)
	}
	pt, _, err := c.OpenBytes(raw, additionalData)
	return pt, err
}

// OpenBytes opens bytes made by SealBytes with the same additional data.
// current reports whether the current key opened them (false: a fallback
// key did, and the value should be sealed again with the current key).
// Any failure wraps ErrDecrypt.
func (c *Cipher) OpenBytes(raw, additionalData []byte) (plaintext []byte, current bool, err error) {
	if len(raw) < Overhead {
		return nil, false, fmt.Errorf("%w: too short", ErrDecrypt)
	}
	if raw[0] != cipherVersion {
		return nil, false, fmt.Errorf("%w: unknown format version %d", ErrDecrypt, raw[0])
	}
	nonce, ct := raw[1:1+chacha20poly1305.NonceSizeX], raw[1+chacha20poly1305.NonceSizeX:]
	for i, aead := range c.aeads {
		if pt, err := aead.Open(nil, nonce, ct, additionalData); err == nil {
			return pt, i == 0, nil
		}
	}
	return nil, false, fmt.Errorf("%w: authentication failed", ErrDecrypt)
}
