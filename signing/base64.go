package signing

import (
	"encoding/base64"
	"errors"
	"strings"
)

// b64Encode returns the URL-safe base64 form of b without padding, as
// Django's b64_encode does.
func b64Encode(b []byte) string {
	return base64.RawURLEncoding.EncodeToString(b)
}

// errLineBreak reports base64 text containing CR or LF, which
// encoding/base64 would otherwise skip silently.
var errLineBreak = errors.New("signing: line break in base64 text")

// b64Decode decodes URL-safe base64 with or without trailing padding.
// Unlike Python's decoder it refuses characters outside the alphabet
// (including the CR and LF that encoding/base64 skips), so a value that is
// not what a signer produced never decodes.
func b64Decode(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errLineBreak
	}
	s = strings.TrimRight(s, "=")
	return base64.RawURLEncoding.DecodeString(s)
}

// b64DecodeCanonical decodes only the exact text b64Encode writes: no
// padding, no line breaks, and zero unused bits in the last character. Each
// byte string then has a single accepted encoding, so an authenticated
// value cannot be altered in its base64 form and still be accepted.
func b64DecodeCanonical(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errLineBreak
	}
	return base64.RawURLEncoding.Strict().DecodeString(s)
}
