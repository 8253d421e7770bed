package signing_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/signing"
)

// mustTimestampSigner builds a TimestampSigner or fails the test.
func mustTimestampSigner(t testing.TB, key string, opts ...signing.Option) *signing.TimestampSigner {
	t.Helper()
	s, err := signing.NewTimestampSigner([]byte(key), opts...)
	if err != nil {
		t.Fatalf("NewTimestampSigner: %v", err)
	}
	return s
}

// TestTimestampSignerVectors checks values produced by Django 3.2 with the
// clock frozen at 1700000000 (§1.4, §1.6).
func TestTimestampSignerVectors(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		opts  []signing.Option
		value string
		want  string
	}{
		{"default salt", testKey, nil, "hello",
			"hello:1r31eq:UxewMrpiTe0IgFGNuJ_Gh6DGVgFoAuEBJodyJpVF36o"},
		{"custom salt and separator", testKey,
			[]signing.Option{signing.WithSalt("mysalt"), signing.WithSeparator("/")}, "hello",
			"hello/1r31eq/g9JuBtD-JQPUI-P2cgm98PvbRABUmPSKtPJCcZ70xZI"},
		// set_signed_cookie("color", "blue", salt="color"): the cookie signer
		// key is "django.http.cookies" + SECRET_KEY, the salt name + salt.
		{"signed cookie", "django.http.cookies" + testKey,
			[]signing.Option{signing.WithSalt("colorcolor")}, "blue",
			"blue:1r31eq:McgY9FeuOH3U7F0sG2_Zlg4eDWaOZftZtkC_ThH5FPo"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustTimestampSigner(t, tc.key, append(tc.opts, signing.WithClock(frozen))...)
			if got := s.Sign(tc.value); got != tc.want {
				t.Errorf("Sign(%q) = %q, want %q", tc.value, got, tc.want)
			}
			got, err := s.Unsign(tc.want, 0)
			if err != nil {
				t.Fatalf("Unsign: %v", err)
			}
			if got != tc.value {
				t.Errorf("Unsign = %q, want %q", got, tc.value)
			}
			v, when, err := s.UnsignTime(tc.want)
			if err != nil || v != tc.value || !when.Equal(time.Unix(frozenUnix, 0)) {
				t.Errorf("UnsignTime = %q, %v, %v", v, when, err)
			}
		})
	}
}

// TestTimestampSignerDiffersFromSigner is §9 item 12.
func TestTimestampSignerDiffersFromSigner(t *testing.T) {
	ts := mustTimestampSigner(t, "predictable-key", signing.WithClock(frozen))
	plain := mustSigner(t, "predictable-key")
	for _, v := range []string{"hello", "", "a:b"} {
		signed := ts.Sign(v)
		if signed == plain.Sign(v) {
			t.Errorf("TimestampSigner and Signer agree on %q", v)
		}
		got, err := ts.Unsign(signed, 0)
		if err != nil || got != v {
			t.Errorf("Unsign(Sign(%q)) = %q, %v", v, got, err)
		}
	}
	// The timestamp is inside the signed text: the embedded Signer (same
	// salt) sees "value:timestamp".
	inner, err := ts.Signer().Unsign(ts.Sign("hello"))
	if err != nil || inner != "hello:1r31eq" {
		t.Errorf("inner text = %q, %v; want hello:1r31eq", inner, err)
	}
}

// TestTimestampMaxAge is §9 item 13 plus the boundary: a value 11 s old is
// accepted by max ages 12 s and 11 s and refused by 10 s.
func TestTimestampMaxAge(t *testing.T) {
	signer := mustTimestampSigner(t, "predictable-key", signing.WithClock(frozen))
	signed := signer.Sign("value")
	later := mustTimestampSigner(t, "predictable-key", signing.WithClock(frozenAt(frozenUnix+11)))
	tests := []struct {
		maxAge  time.Duration
		expired bool
	}{
		{0, false}, // no limit
		{-time.Second, false},
		{12 * time.Second, false},
		{11 * time.Second, false}, // exactly the age: accepted (age > max is refused)
		{11*time.Second - time.Nanosecond, true},
		{10 * time.Second, true},
		{time.Second, true},
	}
	for _, tc := range tests {
		t.Run(tc.maxAge.String(), func(t *testing.T) {
			v, err := later.Unsign(signed, tc.maxAge)
			if !tc.expired {
				if err != nil || v != "value" {
					t.Fatalf("Unsign = %q, %v; want value", v, err)
				}
				return
			}
			if !errors.Is(err, signing.ErrExpired) {
				t.Fatalf("err = %v, want ErrExpired", err)
			}
			if errors.Is(err, signing.ErrBadSignature) {
				t.Error("an expired value matches ErrBadSignature")
			}
			var ee *signing.ExpiredError
			if !errors.As(err, &ee) {
				t.Fatalf("err %T is not an *ExpiredError", err)
			}
			if ee.Age != 11*time.Second || ee.MaxAge != tc.maxAge {
				t.Errorf("ExpiredError = %+v", ee)
			}
			if !strings.Contains(err.Error(), "11s >") {
				t.Errorf("message %q does not give the age", err)
			}
			if v != "" {
				t.Errorf("an expired value returned %q", v)
			}
		})
	}
}

// TestTimestampFutureAccepted checks that a timestamp in the future is
// accepted whatever the maximum age, as in Django.
func TestTimestampFutureAccepted(t *testing.T) {
	future := mustTimestampSigner(t, testKey, signing.WithClock(frozenAt(frozenUnix+3600)))
	now := mustTimestampSigner(t, testKey, signing.WithClock(frozen))
	if v, err := now.Unsign(future.Sign("v"), time.Second); err != nil || v != "v" {
		t.Errorf("Unsign of a future value = %q, %v", v, err)
	}
}

// TestTimestampSignatureCheckedFirst checks that a tampered value that is
// also too old reports a bad signature, not expiry, and that the clock of
// the verifier is what measures the age.
func TestTimestampSignatureCheckedFirst(t *testing.T) {
	old := mustTimestampSigner(t, testKey, signing.WithClock(frozenAt(0)))
	now := mustTimestampSigner(t, testKey, signing.WithClock(frozen))
	signed := old.Sign("value")
	if _, err := now.Unsign(signed, time.Second); !errors.Is(err, signing.ErrExpired) {
		t.Fatalf("untampered old value: err = %v, want ErrExpired", err)
	}
	tampered := "X" + signed[1:]
	_, err := now.Unsign(tampered, time.Second)
	if !errors.Is(err, signing.ErrBadSignature) || errors.Is(err, signing.ErrExpired) {
		t.Errorf("tampered old value: err = %v, want ErrBadSignature only", err)
	}
	other := mustTimestampSigner(t, "another key", signing.WithClock(frozen))
	if _, err := other.Unsign(signed, time.Second); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("old value under another key: err = %v, want ErrBadSignature", err)
	}
}

// TestTimestampWrongSaltAndKey checks that salts and keys separate values.
func TestTimestampWrongSaltAndKey(t *testing.T) {
	base := mustTimestampSigner(t, testKey, signing.WithClock(frozen))
	signed := base.Sign("v")
	for name, s := range map[string]*signing.TimestampSigner{
		"salt":      mustTimestampSigner(t, testKey, signing.WithSalt("other"), signing.WithClock(frozen)),
		"key":       mustTimestampSigner(t, testKey+"x", signing.WithClock(frozen)),
		"algorithm": mustTimestampSigner(t, testKey, signing.WithAlgorithm(signing.SHA1), signing.WithClock(frozen)),
		"separator": mustTimestampSigner(t, testKey, signing.WithSeparator("/"), signing.WithClock(frozen)),
	} {
		if _, err := s.Unsign(signed, 0); !errors.Is(err, signing.ErrBadSignature) {
			t.Errorf("other %s: err = %v, want ErrBadSignature", name, err)
		}
	}
}

// TestTimestampFallbackKeys checks key rotation for timestamped values.
func TestTimestampFallbackKeys(t *testing.T) {
	old := mustTimestampSigner(t, "old", signing.WithClock(frozen))
	current := mustTimestampSigner(t, "current", signing.WithClock(frozen))
	rotated := mustTimestampSigner(t, "current", signing.WithFallbackKeys([]byte("old")),
		signing.WithClock(frozenAt(frozenUnix+5)))
	if v, err := rotated.Unsign(old.Sign("v"), 10*time.Second); err != nil || v != "v" {
		t.Errorf("value signed with the fallback key: %q, %v", v, err)
	}
	if _, err := rotated.Unsign(old.Sign("v"), 4*time.Second); !errors.Is(err, signing.ErrExpired) {
		t.Errorf("old-key value past max age: err = %v, want ErrExpired", err)
	}
	sameClock := mustTimestampSigner(t, "current", signing.WithFallbackKeys([]byte("old")), signing.WithClock(frozen))
	if got, want := sameClock.Sign("v"), current.Sign("v"); got != want {
		t.Errorf("rotated Sign = %q, want the current key's %q", got, want)
	}
}

// TestTimestampMalformedInner signs texts with the TimestampSigner's salt
// but without a well-formed timestamp: authentic but malformed values must
// be refused as bad signatures.
func TestTimestampMalformedInner(t *testing.T) {
	inner := mustSigner(t, testKey, signing.WithSalt(signing.DefaultTimestampSalt))
	ts := mustTimestampSigner(t, testKey, signing.WithClock(frozen))
	for _, text := range []string{
		"hello",                // no timestamp separator
		"hello:",               // empty timestamp
		"hello:!!",             // not base62
		"hello:zzzzzzzzzzzzz",  // beyond int64
		"hello:1r31eq ",        // trailing space
		"hello:-",              // sign only
		"hello:1r31eq:1r31eq!", // bad last part
	} {
		if v, err := ts.Unsign(inner.Sign(text), 0); !errors.Is(err, signing.ErrBadSignature) {
			t.Errorf("inner %q: Unsign = %q, %v; want ErrBadSignature", text, v, err)
		}
	}
	// A value whose own text contains the separator still splits at the
	// last one.
	v, err := ts.Unsign(inner.Sign("a:b:c:1r31eq"), 0)
	if err != nil || v != "a:b:c" {
		t.Errorf("Unsign = %q, %v; want a:b:c", v, err)
	}
}

// TestTimestampClockEdges signs at negative and zero times and reads them
// back.
func TestTimestampClockEdges(t *testing.T) {
	for _, sec := range []int64{0, -1, -1700000000, 1, 1 << 40} {
		s := mustTimestampSigner(t, testKey, signing.WithClock(frozenAt(sec)))
		v, when, err := s.UnsignTime(s.Sign("v"))
		if err != nil || v != "v" || when.Unix() != sec {
			t.Errorf("at %d: UnsignTime = %q, %d, %v", sec, v, when.Unix(), err)
		}
	}
}

// TestTimestampDefaultClock checks that without WithClock the signing time
// is the current time: it lies between two readings of the clock taken
// around Sign.
func TestTimestampDefaultClock(t *testing.T) {
	s := mustTimestampSigner(t, testKey)
	before := time.Now().Truncate(time.Second)
	signed := s.Sign("v")
	after := time.Now()
	_, when, err := s.UnsignTime(signed)
	if err != nil {
		t.Fatal(err)
	}
	if when.Before(before) || when.After(after) {
		t.Errorf("timestamp %v is not between %v and %v", when, before, after)
	}
}
