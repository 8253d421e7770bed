package session

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/tetherweb/tether/signing"
)

// sealPurpose binds the keys that seal records at rest to this use: a
// record never opens as a cookie or anything else sealed with the same
// secret, nor the other way round.
const sealPurpose = "tether.session.record"

// sealer encrypts records at rest (Manager.SecretKey): what reaches the
// Store is XChaCha20-Poly1305 of the codec's bytes, bound to the record's
// hashed key, so a leaked table, Redis dump, memcached item, session file
// or backup shows neither the session's values nor its key, and a sealed
// blob copied under another key does not open. The hash (HashKey) rather
// than the key itself is bound, so that an operator holding the secret
// key can open a record found by its hash in a listing, without the
// session key.
type sealer struct{ c *signing.Cipher }

func newSealer(key []byte, fallbacks [][]byte) (*sealer, error) {
	c, err := signing.NewCipher(key, signing.WithSalt(sealPurpose), signing.WithFallbackKeys(fallbacks...))
	if err != nil {
		return nil, fmt.Errorf("session: secret key: %w", err)
	}
	return &sealer{c: c}, nil
}

// additionalData binds a sealed record to its key's hash (id).
func additionalData(id string) []byte {
	ad := make([]byte, 0, len(sealPurpose)+1+len(id))
	return append(append(append(ad, sealPurpose...), ':'), id...)
}

// keyData is additionalData(HashKey(key)) in one allocation.
func keyData(key string) []byte {
	ad := make([]byte, len(sealPurpose)+1+2*sha256.Size)
	n := copy(ad, sealPurpose)
	ad[n] = ':'
	sum := sha256.Sum256([]byte(key))
	hex.Encode(ad[n+1:], sum[:])
	return ad
}

// seal returns data sealed for the record under key; without a sealer,
// data itself.
func (sl *sealer) seal(key string, data []byte) []byte {
	if sl == nil {
		return data
	}
	return sl.c.SealBytes(data, keyData(key))
}

// open returns the codec's bytes of a record loaded under key. Any
// failure (another key's blob, truncation, an unknown secret, an unsealed
// record) is an error: the Manager treats the record as missing.
func (sl *sealer) open(key string, data []byte) ([]byte, error) {
	if sl == nil {
		return data, nil
	}
	return openRecord(sl.c, keyData(key), data)
}

// OpenRecord opens a record sealed at rest by a Manager with a secret key
// (see Manager.SecretKey), for operators' tools: c is
// SealCipher(secretKey, fallbacks...) and id the record's hashed key
// (HashKey of the session key, as listings show it). It returns the
// codec's bytes (JSON by default).
func OpenRecord(c *signing.Cipher, id string, data []byte) ([]byte, error) {
	return openRecord(c, additionalData(id), data)
}

func openRecord(c *signing.Cipher, ad, data []byte) ([]byte, error) {
	pt, _, err := c.OpenBytes(data, ad)
	if err != nil {
		return nil, fmt.Errorf("session: open sealed record: %w", err)
	}
	return pt, nil
}

// SealRecord seals data (the codec's bytes) as a Manager with that cipher
// seals the record whose hashed key is id: what OpenRecord opens. Operators'
// tools use it to re-seal a record under the current key after a rotation.
func SealRecord(c *signing.Cipher, id string, data []byte) []byte {
	return c.SealBytes(data, additionalData(id))
}

// SealCipher returns the cipher a Manager with this SecretKey and these
// FallbackKeys seals records with, for OpenRecord.
func SealCipher(secretKey []byte, fallbacks ...[]byte) (*signing.Cipher, error) {
	sl, err := newSealer(secretKey, fallbacks)
	if err != nil {
		return nil, err
	}
	return sl.c, nil
}
