package signing

import (
	"fmt"
	"time"
)

// DefaultDumpsSalt is the salt of Dumps and Loads without WithSalt, the same
// as Django's signing.dumps.
const DefaultDumpsSalt = "django.core.signing"

// SignBytes signs a payload the way Django's sign_object does: base64 (URL
// safe, unpadded) of the payload, zlib-compressed first with a leading "."
// when the signer was built WithCompression and compression saves at least
// two bytes, then timestamped and signed.
func (t *TimestampSigner) SignBytes(data []byte) string {
	dot := false
	if t.compress {
		data, dot = deflate(data)
	}
	payload := b64Encode(data)
	if dot {
		payload = "." + payload
	}
	return t.Sign(payload)
}

// UnsignBytes verifies a value made by SignBytes (or by Django's
// sign_object/dumps) and returns the payload, inflated when it carries the
// leading ".". maxAge > 0 refuses older values with ErrExpired.
func (t *TimestampSigner) UnsignBytes(signed string, maxAge time.Duration) ([]byte, error) {
	payload, err := t.Unsign(signed, maxAge)
	if err != nil {
		return nil, err
	}
	return t.decodePayload(payload)
}

// UnsignBytesTime is UnsignBytes without a maximum age that also returns
// when the value was signed.
func (t *TimestampSigner) UnsignBytesTime(signed string) ([]byte, time.Time, error) {
	payload, ts, err := t.UnsignTime(signed)
	if err != nil {
		return nil, time.Time{}, err
	}
	data, err := t.decodePayload(payload)
	return data, ts, err
}

// decodePayload reverses the base64 and optional compression of SignBytes.
func (t *TimestampSigner) decodePayload(payload string) ([]byte, error) {
	compressed := false
	if len(payload) > 0 && payload[0] == '.' {
		compressed = true
		payload = payload[1:]
	}
	data, err := b64Decode(payload)
	if err != nil {
		return nil, badSignature("payload is not base64")
	}
	if compressed {
		return inflate(data, t.maxInflated)
	}
	return data, nil
}

// SignObject serializes v (JSON by default) and signs it with SignBytes.
func (t *TimestampSigner) SignObject(v any) (string, error) {
	data, err := t.serializer.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("signing: serialize: %w", err)
	}
	return t.SignBytes(data), nil
}

// UnsignObject verifies signed with UnsignBytes and decodes the payload
// into v (a pointer).
func (t *TimestampSigner) UnsignObject(signed string, v any, maxAge time.Duration) error {
	data, err := t.UnsignBytes(signed, maxAge)
	if err != nil {
		return err
	}
	if err := t.serializer.Unmarshal(data, v); err != nil {
		return fmt.Errorf("signing: deserialize: %w", err)
	}
	return nil
}

// Dumps returns a URL-safe, signed and timestamped representation of v, as
// Django's signing.dumps: "[.]payload:timestamp:signature". Options:
// WithSalt (default DefaultDumpsSalt), WithCompression, WithSerializer,
// WithAlgorithm, WithClock.
//
// Dumps derives its keys on every call; code that signs often should build
// a TimestampSigner once and call SignObject.
func Dumps(v any, key []byte, opts ...Option) (string, error) {
	c := newConfig(DefaultDumpsSalt, opts)
	t, err := newTimestampSigner(key, &c)
	if err != nil {
		return "", err
	}
	return t.SignObject(v)
}

// Loads reverses Dumps: it verifies s with the key (and any
// WithFallbackKeys) and decodes it into v. WithMaxAge refuses values older
// than the given age with ErrExpired.
func Loads(s string, v any, key []byte, opts ...Option) error {
	c := newConfig(DefaultDumpsSalt, opts)
	t, err := newTimestampSigner(key, &c)
	if err != nil {
		return err
	}
	return t.UnsignObject(s, v, c.maxAge)
}
