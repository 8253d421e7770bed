package signing

import (
	"encoding/base64"
	"strings"
)

// b64Encode returns the URL-safe base64 form of b without padding, as
// Django's b64_encode does.
func b64Encode(b []byte) string {
	return base64.RawURLEncoding.EncodeToString(b)
}

// b64Decode decodes URL-safe base64 with or without trailing padding.
// Unlike Python's decoder it refuses characters outside the alphabet, so a
// value that is not what a signer produced never decodes.
func b64Decode(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	return base64.RawURLEncoding.DecodeString(s)
}
