// Package cookie writes, reads and deletes HTTP cookies with safe defaults,
// and signs or encrypts their values.
//
// The zero Options give what a session-style cookie should have: Path=/,
// HttpOnly, SameSite=Lax, no Domain (host-only) and no expiry (it ends with
// the browser). Set refuses, with an error, what browsers would silently
// drop or mangle: a cookie over 4096 bytes (name, value and attributes
// counted), an invalid name, or a value with characters outside RFC 6265's
// cookie-octet set. Delete writes the same Path and Domain as Set, so it
// really deletes.
//
// [Signed] is Django's set_signed_cookie/get_signed_cookie: the value is
// readable by the client but any change is detected, and an optional
// maximum age is enforced from a timestamp inside the signature. Its
// values are interchangeable with Django's for the same SECRET_KEY.
// [Encrypted] keeps the value secret too (XChaCha20-Poly1305).
package cookie
