// Package signing signs, timestamps, serializes and encrypts small values
// for transport through untrusted hands (cookies, URLs, hidden form fields).
//
// It is a Go rendering of django.core.signing and produces byte-for-byte the
// same values Django does for the same key, salt and time:
//
//   - [Signer] appends an HMAC signature: "value:signature". The HMAC key is
//     derived from the salt and the secret exactly as Django's salted_hmac
//     derives it (H(salt + "signer" + secret)), so a value signed by Django
//     verifies here and back.
//   - [TimestampSigner] puts a base62 timestamp inside the signed text
//     ("value:timestamp:signature") and refuses values older than a maximum
//     age with [ErrExpired], distinct from [ErrBadSignature].
//   - [Dumps] and [Loads] (and the SignObject/UnsignObject methods) sign any
//     JSON-encodable value, optionally zlib-compressed (Django's leading-dot
//     form).
//   - [Cipher] seals values that must stay secret with XChaCha20-Poly1305.
//
// Every verifier accepts a list of fallback keys (key rotation): values
// signed with an old key keep verifying while new values are always signed
// with the current key. Signatures are compared in constant time, and
// malformed input of any kind (bad base64, missing separator, truncated or
// huge values, compression bombs) returns an error and never panics.
//
// Signer, TimestampSigner and Cipher are immutable after construction and
// safe for concurrent use.
package signing
