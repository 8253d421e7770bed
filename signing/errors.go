package signing

import (
	"errors"
	"fmt"
	"time"
)

// ErrBadSignature reports a value whose signature does not verify with any
// key, or that is malformed (no separator, bad encoding, truncated).
var ErrBadSignature = errors.New("signing: bad signature")

// ErrExpired reports a value whose signature is valid but whose timestamp is
// older than the maximum age. It is distinct from ErrBadSignature:
// errors.Is(err, ErrBadSignature) is false for an expired value.
var ErrExpired = errors.New("signing: signature expired")

// ErrDecrypt reports a sealed value that does not open with any key: it was
// tampered with, truncated, sealed with another key or for another purpose.
var ErrDecrypt = errors.New("signing: cannot decrypt")

// ErrTooLarge reports a payload that would decompress beyond the configured
// limit (see WithMaxDecompressedSize).
var ErrTooLarge = errors.New("signing: payload too large")

// ExpiredError is the error returned for an expired timestamp. It matches
// ErrExpired with errors.Is and carries the measured age.
type ExpiredError struct {
	Age    time.Duration // how old the value is
	MaxAge time.Duration // the limit it exceeded
}

// Error describes the age and the limit.
func (e *ExpiredError) Error() string {
	return fmt.Sprintf("signing: signature age %s > %s", e.Age.Round(time.Millisecond), e.MaxAge)
}

// Is reports whether target is ErrExpired.
func (e *ExpiredError) Is(target error) bool { return target == ErrExpired }

// badSignature wraps ErrBadSignature with a reason.
func badSignature(reason string) error {
	return fmt.Errorf("%w: %s", ErrBadSignature, reason)
}
