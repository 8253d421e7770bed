package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/signing"
)

// sealKeys opens records sealed at rest by a session.Manager with a
// SecretKey (and FallbackKeys), and seals them again with the current key.
type sealKeys struct {
	current   *signing.Cipher // the secret key alone
	all       *signing.Cipher // the secret key, then the fallback keys
	secret    []byte
	fallbacks [][]byte
}

// loadSealKeys reads the secret key (keyFile, else $TETHER_SECRET_KEY) and
// the fallback keys (fallbackFile: one a line, blank lines skipped). It
// returns nil, nil when no secret key is given.
func loadSealKeys(keyFile, fallbackFile string) (*sealKeys, error) {
	key, ok, err := loadSecretKey("", keyFile)
	if err != nil {
		return nil, err
	}
	if !ok || key == "" {
		if fallbackFile != "" {
			return nil, errors.New("--fallback-key-file needs the current secret key (--secret-key-file or $TETHER_SECRET_KEY)")
		}
		return nil, nil
	}
	k := &sealKeys{secret: []byte(key)}
	if fallbackFile != "" {
		b, err := os.ReadFile(fallbackFile)
		if err != nil {
			return nil, fmt.Errorf("reading the fallback keys: %w", err)
		}
		for line := range strings.Lines(string(b)) {
			if line = strings.TrimRight(line, "\r\n"); line != "" {
				k.fallbacks = append(k.fallbacks, []byte(line))
			}
		}
	}
	if k.current, err = session.SealCipher(k.secret); err != nil {
		return nil, err
	}
	if k.all, err = session.SealCipher(k.secret, k.fallbacks...); err != nil {
		return nil, err
	}
	return k, nil
}

// opened is a record's content as the CLI sees it.
type opened struct {
	data    []byte // the codec's bytes (JSON)
	current bool   // opened by the current key (else by a fallback key)
	index   bool   // a per-user index record, not a session
}

// open opens the record listed as hash.
func (k *sealKeys) open(hash string, data []byte) (opened, error) {
	if pt, err := session.OpenRecord(k.current, hash, data); err == nil {
		return opened{data: pt, current: true, index: isIndexRecord(pt)}, nil
	}
	pt, err := session.OpenRecord(k.all, hash, data)
	if err != nil {
		return opened{}, err
	}
	return opened{data: pt, index: isIndexRecord(pt)}, nil
}

// reseal returns plaintext sealed with the current key for the record
// listed as hash (session.SealRecord), checked to open with the current
// key alone before anything is written.
func (k *sealKeys) reseal(hash string, plaintext []byte) ([]byte, error) {
	sealed := session.SealRecord(k.current, hash, plaintext)
	back, err := session.OpenRecord(k.current, hash, sealed)
	if err != nil || !bytes.Equal(back, plaintext) {
		return nil, errors.New("re-sealed record does not open with the current key: not written")
	}
	return sealed, nil
}

// indexMarker is the member every per-user index record has
// (session.UserIndex) and no session has.
const indexMarker = "_tether_index"

// isIndexRecord reports whether opened JSON is a per-user index record.
func isIndexRecord(data []byte) bool {
	var members map[string]json.RawMessage
	if json.Unmarshal(data, &members) != nil {
		return false
	}
	_, ok := members[indexMarker]
	return ok
}

// indexSize is the number of sessions an index record names.
func indexSize(data []byte) int {
	var d struct {
		Sessions map[string]json.RawMessage `json:"sessions"`
	}
	json.Unmarshal(data, &d)
	return len(d.Sessions)
}

// inTheClear reports whether stored data is a JSON object as the JSON
// codec writes it, not sealed: the records of a Manager without a
// SecretKey. A sealed record starts with its format version byte, never
// with '{'.
func inTheClear(data []byte) bool {
	return len(data) > 0 && data[0] == '{' && json.Valid(data)
}
