package signing

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
)

// Algorithm names the hash behind a signature. The zero value is SHA256,
// Django's default since 3.1.
type Algorithm int

const (
	// SHA256 signs with HMAC-SHA256 (43-character signatures). The default.
	SHA256 Algorithm = iota
	// SHA1 signs with HMAC-SHA1 (27 characters), as Django 3.2 does with
	// DEFAULT_HASHING_ALGORITHM = "sha1". Only for talking to such a peer.
	SHA1
	// SHA512 signs with HMAC-SHA512 (86 characters).
	SHA512
)

// String returns the hashlib name of the algorithm ("sha256", ...).
func (a Algorithm) String() string {
	switch a {
	case SHA256:
		return "sha256"
	case SHA1:
		return "sha1"
	case SHA512:
		return "sha512"
	}
	return fmt.Sprintf("Algorithm(%d)", int(a))
}

func (a Algorithm) newHash() (func() hash.Hash, error) {
	switch a {
	case SHA256:
		return sha256.New, nil
	case SHA1:
		return sha1.New, nil
	case SHA512:
		return sha512.New, nil
	}
	return nil, fmt.Errorf("signing: %q is not a supported algorithm", a.String())
}

// ParseAlgorithm maps a hashlib name ("sha1", "sha256", "sha512") to an
// Algorithm.
func ParseAlgorithm(name string) (Algorithm, error) {
	switch name {
	case "sha256":
		return SHA256, nil
	case "sha1":
		return SHA1, nil
	case "sha512":
		return SHA512, nil
	}
	return 0, fmt.Errorf("signing: %q is not a supported algorithm", name)
}
