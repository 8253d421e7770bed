package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"
)

// loadSecretKey returns the flag's key, else $TETHER_SECRET_KEY, else the
// key kept in file, generating and saving one (mode 0600) the first time.
func loadSecretKey(flagValue, file string) ([]byte, error) {
	if flagValue != "" {
		return []byte(flagValue), nil
	}
	if env := os.Getenv("TETHER_SECRET_KEY"); env != "" {
		return []byte(env), nil
	}
	b, err := os.ReadFile(file)
	if err == nil && len(strings.TrimSpace(string(b))) >= 50 {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	key := rand.Text() + rand.Text() // 52 base32 characters, 260 bits
	if err := os.WriteFile(file, []byte(key+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return []byte(key), nil
}
