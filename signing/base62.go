package signing

import (
	"errors"
	"math"
)

// base62Alphabet is Django's baseconv.BASE62_ALPHABET: digits, then upper
// case, then lower case. (The CSRF alphabet is a different order.)
const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

var errBase62 = errors.New("signing: malformed base62 number")

// base62Encode renders n in Django's base62: big-endian, no padding, a
// leading '-' for negative numbers.
func base62Encode(n int64) string {
	if n == 0 {
		return "0"
	}
	var buf [13]byte // 62^11 > 2^63, plus a sign
	i := len(buf)
	u := uint64(n)
	neg := n < 0
	if neg {
		u = uint64(-n) // also right for math.MinInt64 (two's complement)
	}
	for u > 0 {
		i--
		buf[i] = base62Alphabet[u%62]
		u /= 62
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}

// base62Decode parses a base62 number as written by base62Encode. It
// refuses empty input, unknown characters and values beyond int64.
func base62Decode(s string) (int64, error) {
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg = true
		s = s[1:]
	}
	if s == "" || len(s) > 11 {
		return 0, errBase62
	}
	// The magnitude of a negative number may reach 2^63 (math.MinInt64).
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var u uint64
	for i := 0; i < len(s); i++ {
		d := base62Digit(s[i])
		if d < 0 {
			return 0, errBase62
		}
		if u > (limit-uint64(d))/62 {
			return 0, errBase62
		}
		u = u*62 + uint64(d)
	}
	if neg {
		return -int64(u), nil // -int64(1<<63) is math.MinInt64
	}
	return int64(u), nil
}

func base62Digit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 36
	}
	return -1
}
