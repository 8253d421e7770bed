package signing_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/signing"
)

// testKey is the SECRET_KEY of every worked example in the reference
// (django-formats.md, "Verification key used in all worked examples").
const testKey = "interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

// frozenUnix is the instant the reference's worked examples were signed at.
const frozenUnix = 1700000000

// frozenAt returns a clock stopped at the given Unix second.
func frozenAt(sec int64) func() time.Time {
	return func() time.Time { return time.Unix(sec, 0) }
}

// frozen is the clock of the worked examples: Unix 1700000000.
var frozen = frozenAt(frozenUnix)

// mustSigner builds a Signer or fails the test.
func mustSigner(t testing.TB, key string, opts ...signing.Option) *signing.Signer {
	t.Helper()
	s, err := signing.NewSigner([]byte(key), opts...)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	return s
}

// TestSignerVectors checks Sign against values produced by Django 3.2: the
// worked examples of §1.9 and the vectors of Django's own signing tests.
func TestSignerVectors(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		opts  []signing.Option
		value string
		want  string
	}{
		{"reference default", testKey, nil, "hello",
			"hello:nrtvkW2YN8hHyU0pHX013RLwwL4tskEVHfWExG1h4m8"},
		{"reference sha1 mode", testKey, []signing.Option{signing.WithAlgorithm(signing.SHA1)}, "hello",
			"hello:oSO-MCpaJqlNYYXD2udXTaUp8wc"},
		{"reference sha512", testKey, []signing.Option{signing.WithAlgorithm(signing.SHA512)}, "hello",
			"hello:dfd8hPCWHeVwsdquFta_10IsV2WS3ftdIE0dT09Kdh91150kF1ax_yHIwum3JhCYS6aAhYEFpB4UiJApx7TAYw"},
		{"binary key sha256", "\xe7", nil, "foo",
			"foo:EE4qGC5MEKyQG5msxYA0sBohAxLC0BJf8uRhemh0BGU"},
		{"binary key sha1", "\xe7", []signing.Option{signing.WithAlgorithm(signing.SHA1)}, "foo",
			"foo:6NB0fssLW5RQvZ3Y-MTerq2rX7w"},
		{"slash separator", "predictable-secret", []signing.Option{signing.WithSeparator("/")}, "foo",
			"foo/jZQoX_FtSO70jX9HLRGg2A_2s4kdDBxz1QoO_OpEQb0"},
		{"slash separator sha1", "predictable-secret",
			[]signing.Option{signing.WithSeparator("/"), signing.WithAlgorithm(signing.SHA1)}, "foo",
			"foo/sH9B01cZcJ9FoT_jEVkRkNULrl8"},
		{"salt and sha1", "secret",
			[]signing.Option{signing.WithSeparator("/"), signing.WithSalt("somesalt"), signing.WithAlgorithm(signing.SHA1)},
			"xyz", "xyz/zzdO_8rk-NGnm8jNasXRTF2P5kY"},
		{"value containing the separator", testKey, nil, "3098247:529:087:",
			"3098247:529:087::QD2BmmpoTc863ktuXxqR13P72U9MUy7igQkvolb2T08"},
		{"non-ASCII value", testKey, nil, "Zoë ☃ 😀",
			"Zoë ☃ 😀:9wYp_-9erotEelCbq_RU6w9WkELWF874iC__GOfS8uE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustSigner(t, tc.key, tc.opts...)
			if got := s.Sign(tc.value); got != tc.want {
				t.Errorf("Sign(%q) = %q, want %q", tc.value, got, tc.want)
			}
			got, err := s.Unsign(tc.want)
			if err != nil {
				t.Fatalf("Unsign(%q): %v", tc.want, err)
			}
			if got != tc.value {
				t.Errorf("Unsign = %q, want %q", got, tc.value)
			}
		})
	}
}

// TestSignatureSHA512 checks Django's test_custom_algorithm vector.
func TestSignatureSHA512(t *testing.T) {
	s := mustSigner(t, "predictable-secret", signing.WithAlgorithm(signing.SHA512))
	const want = "Usf3uVQOZ9m6uPfVonKR-EBXjPe7bjMbp3_Fq8MfsptgkkM1ojidN0BxYaT5HAEN1VzO9_jVu7R-VkqknHYNvw"
	if got := s.Signature("hello"); got != want {
		t.Errorf("Signature = %q, want %q", got, want)
	}
}

// TestSignatureLengths checks the encoded signature length of each
// algorithm (§1.3: 43, 27 and 86 characters).
func TestSignatureLengths(t *testing.T) {
	tests := []struct {
		alg  signing.Algorithm
		want int
	}{
		{signing.SHA256, 43},
		{signing.SHA1, 27},
		{signing.SHA512, 86},
	}
	for _, tc := range tests {
		t.Run(tc.alg.String(), func(t *testing.T) {
			s := mustSigner(t, testKey, signing.WithAlgorithm(tc.alg))
			if got := len(s.Signature("x")); got != tc.want {
				t.Errorf("signature length = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestSaltedHMAC checks the key derivation of §1.2 against Django's
// salted_hmac.
func TestSaltedHMAC(t *testing.T) {
	tests := []struct {
		name    string
		alg     signing.Algorithm
		keySalt string
		value   string
		want    string
	}{
		{"signer key salt", signing.SHA256, "django.core.signing.Signersigner", "hello",
			"9ebb6f916d9837c847c94d291d7d35dd12f0c0be2db241151df584c46d61e26f"},
		{"sha1", signing.SHA1, "test-salt", "value",
			"b6d056a33b6ff0f0b06c3e30871282bf3cff33d6"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mac, err := signing.SaltedHMAC(tc.alg, tc.keySalt, []byte(tc.value), []byte(testKey))
			if err != nil {
				t.Fatalf("SaltedHMAC: %v", err)
			}
			if got := hex.EncodeToString(mac); got != tc.want {
				t.Errorf("SaltedHMAC = %s, want %s", got, tc.want)
			}
		})
	}
	if _, err := signing.SaltedHMAC(signing.Algorithm(99), "s", nil, []byte(testKey)); err == nil {
		t.Error("SaltedHMAC with an unknown algorithm: want an error")
	}
}

// TestAlgorithmNames checks ParseAlgorithm and String, and that an unknown
// algorithm is refused by the constructors (§9 item 9).
func TestAlgorithmNames(t *testing.T) {
	for _, alg := range []signing.Algorithm{signing.SHA256, signing.SHA1, signing.SHA512} {
		got, err := signing.ParseAlgorithm(alg.String())
		if err != nil {
			t.Errorf("ParseAlgorithm(%q): %v", alg.String(), err)
			continue
		}
		if got != alg {
			t.Errorf("ParseAlgorithm(%q) = %v, want %v", alg.String(), got, alg)
		}
	}
	if signing.Algorithm(0) != signing.SHA256 {
		t.Error("the zero Algorithm is not SHA256")
	}
	for _, name := range []string{"", "md5", "whatever", "SHA256", "sha384"} {
		if _, err := signing.ParseAlgorithm(name); err == nil {
			t.Errorf("ParseAlgorithm(%q): want an error", name)
		}
	}
	bad := signing.Algorithm(42)
	if got := bad.String(); got != "Algorithm(42)" {
		t.Errorf("String = %q", got)
	}
	if _, err := signing.NewSigner([]byte(testKey), signing.WithAlgorithm(bad)); err == nil {
		t.Error("NewSigner with an unknown algorithm: want an error")
	}
	if _, err := signing.NewTimestampSigner([]byte(testKey), signing.WithAlgorithm(bad)); err == nil {
		t.Error("NewTimestampSigner with an unknown algorithm: want an error")
	}
	if _, err := signing.Dumps(1, []byte(testKey), signing.WithAlgorithm(bad)); err == nil {
		t.Error("Dumps with an unknown algorithm: want an error")
	}
}

// TestSeparators checks Django's separator rule (§1.3, §9 item 8): valid
// separators give value + sep + the same signature; unsafe ones are refused.
func TestSeparators(t *testing.T) {
	const sig = "jZQoX_FtSO70jX9HLRGg2A_2s4kdDBxz1QoO_OpEQb0" // "foo" with key predictable-secret
	for _, sep := range []string{"/", "*sep*", ",", ":", " ", "é", "a:b", "."} {
		t.Run("valid "+sep, func(t *testing.T) {
			s := mustSigner(t, "predictable-secret", signing.WithSeparator(sep))
			if got, want := s.Sign("foo"), "foo"+sep+sig; got != want {
				t.Errorf("Sign = %q, want %q", got, want)
			}
			if s.Separator() != sep {
				t.Errorf("Separator() = %q", s.Separator())
			}
			v, err := s.Unsign("foo" + sep + sig)
			if err != nil || v != "foo" {
				t.Errorf("Unsign = %q, %v", v, err)
			}
		})
	}
	// A-z spans [ \ ] ^ _ and the backtick too.
	for _, sep := range []string{"", "-", "abc", "=", "_", "0", "Z", "[", "\\", "]", "^", "`", "A-z0-9_=", "--"} {
		t.Run("unsafe "+sep, func(t *testing.T) {
			_, err := signing.NewSigner([]byte(testKey), signing.WithSeparator(sep))
			if err == nil {
				t.Fatalf("NewSigner(sep=%q): want an error", sep)
			}
			if !strings.Contains(err.Error(), "cannot be empty or consist of only A-z0-9-_=") {
				t.Errorf("error %q does not explain the rule", err)
			}
			if _, err := signing.NewTimestampSigner([]byte(testKey), signing.WithSeparator(sep)); err == nil {
				t.Errorf("NewTimestampSigner(sep=%q): want an error", sep)
			}
		})
	}
}

// TestEmptyKey checks that an empty secret is refused.
func TestEmptyKey(t *testing.T) {
	if _, err := signing.NewSigner(nil); err == nil {
		t.Error("NewSigner(nil): want an error")
	}
	if _, err := signing.NewSigner([]byte{}); err == nil {
		t.Error("NewSigner(empty): want an error")
	}
	if _, err := signing.NewTimestampSigner(nil); err == nil {
		t.Error("NewTimestampSigner(nil): want an error")
	}
}

// TestDefaults checks the default salt and separator (§1.3, §1.8).
func TestDefaults(t *testing.T) {
	s := mustSigner(t, testKey)
	if s.Salt() != "django.core.signing.Signer" || s.Salt() != signing.DefaultSignerSalt {
		t.Errorf("Salt() = %q", s.Salt())
	}
	if s.Separator() != ":" {
		t.Errorf("Separator() = %q", s.Separator())
	}
	explicit := mustSigner(t, testKey, signing.WithSalt(signing.DefaultSignerSalt))
	if s.Sign("v") != explicit.Sign("v") {
		t.Error("the default salt differs from DefaultSignerSalt")
	}
	ts, err := signing.NewTimestampSigner([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	if got := ts.Signer().Salt(); got != "django.core.signing.TimestampSigner" {
		t.Errorf("TimestampSigner salt = %q", got)
	}
}

// TestSignatureDependsOnKeyAndSalt is §9 item 1.
func TestSignatureDependsOnKeyAndSalt(t *testing.T) {
	base := mustSigner(t, "predictable-secret")
	tests := []struct {
		name string
		s    *signing.Signer
	}{
		{"other key", mustSigner(t, "predictable-secret2")},
		{"other salt", mustSigner(t, "predictable-secret", signing.WithSalt("extra-salt"))},
		{"other algorithm", mustSigner(t, "predictable-secret", signing.WithAlgorithm(signing.SHA512))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []string{"hello", "", "a longer value"} {
				if base.Signature(v) == tc.s.Signature(v) {
					t.Errorf("Signature(%q) is the same", v)
				}
				if _, err := tc.s.Unsign(base.Sign(v)); !errors.Is(err, signing.ErrBadSignature) {
					t.Errorf("Unsign of a value signed by the base signer: err = %v, want ErrBadSignature", err)
				}
			}
		})
	}
}

// TestSignUnsignRoundTrip is §9 item 2 (and item 3 for the string forms of
// non-string values).
func TestSignUnsignRoundTrip(t *testing.T) {
	values := []string{
		"", "a", "jkw osanteuh ,rcuh nthu aou oauh ,ud du", "\u2019", "Zoë", "😀",
		"value:with:separators:", ":", "::", "123", "True", "\x00\xff", "trailing space ",
	}
	for _, sep := range []string{":", "/", "*sep*"} {
		s := mustSigner(t, "predictable-secret", signing.WithSeparator(sep))
		for _, v := range values {
			signed := s.Sign(v)
			if signed == v {
				t.Errorf("sep %q: Sign(%q) returned its input", sep, v)
			}
			got, err := s.Unsign(signed)
			if err != nil {
				t.Errorf("sep %q: Unsign(Sign(%q)): %v", sep, v, err)
				continue
			}
			if got != v {
				t.Errorf("sep %q: round trip of %q gave %q", sep, v, got)
			}
			if !s.Verify(v, s.Signature(v)) {
				t.Errorf("sep %q: Verify(%q, Signature) = false", sep, v)
			}
		}
	}
}

// TestUnsignDetectsTampering is §9 item 4: upper-casing, appending a
// character, replacing the first character and removing the separators.
func TestUnsignDetectsTampering(t *testing.T) {
	s := mustSigner(t, "predictable-secret")
	signed := s.Sign("hello")
	transforms := []struct {
		name string
		fn   func(string) string
	}{
		{"upper", strings.ToUpper},
		{"append", func(x string) string { return x + "d" }},
		{"replace first", func(x string) string { return "a" + x[1:] }},
		{"remove separators", func(x string) string { return strings.ReplaceAll(x, ":", "") }},
		{"drop signature", func(x string) string { return x[:strings.LastIndex(x, ":")+1] }},
		{"drop last char", func(x string) string { return x[:len(x)-1] }},
		{"pad signature", func(x string) string { return x + "=" }},
	}
	for _, tc := range transforms {
		t.Run(tc.name, func(t *testing.T) {
			tampered := tc.fn(signed)
			if tampered == signed {
				t.Fatalf("transform left %q unchanged", signed)
			}
			if v, err := s.Unsign(tampered); !errors.Is(err, signing.ErrBadSignature) {
				t.Errorf("Unsign(%q) = %q, %v; want ErrBadSignature", tampered, v, err)
			}
		})
	}
}

// TestUnsignErrors checks the messages of the two failure kinds and that a
// bad signature never reads as expired.
func TestUnsignErrors(t *testing.T) {
	s := mustSigner(t, testKey)
	_, err := s.Unsign("no separator here")
	if !errors.Is(err, signing.ErrBadSignature) || !strings.Contains(err.Error(), `no ":" found`) {
		t.Errorf("missing separator: err = %v", err)
	}
	_, err = s.Unsign("hello:AAAA")
	if !errors.Is(err, signing.ErrBadSignature) || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("wrong signature: err = %v", err)
	}
	if errors.Is(err, signing.ErrExpired) {
		t.Error("a bad signature matches ErrExpired")
	}
}

// TestVerify checks Verify on good, wrong and wrongly sized signatures.
func TestVerify(t *testing.T) {
	s := mustSigner(t, testKey)
	sig := s.Signature("hello")
	tests := []struct {
		value, sig string
		want       bool
	}{
		{"hello", sig, true},
		{"hello", "nrtvkW2YN8hHyU0pHX013RLwwL4tskEVHfWExG1h4m8", true},
		{"hellO", sig, false},
		{"hello", "", false},
		{"hello", sig[:len(sig)-1], false},
		{"hello", sig + "A", false},
		{"hello", strings.Repeat("A", len(sig)), false},
		{"hello", strings.Repeat("A", 200), false},
	}
	for _, tc := range tests {
		if got := s.Verify(tc.value, tc.sig); got != tc.want {
			t.Errorf("Verify(%q, %q) = %v, want %v", tc.value, tc.sig, got, tc.want)
		}
	}
}

// TestFallbackKeys is §9 items 10 and 11: values signed with any fallback
// key verify, the current key always verifies, and fallback keys never sign.
func TestFallbackKeys(t *testing.T) {
	current := mustSigner(t, "current")
	old1 := mustSigner(t, "old1")
	old2 := mustSigner(t, "old2")
	other := mustSigner(t, "unrelated")
	rotated := mustSigner(t, "current", signing.WithFallbackKeys([]byte("old1"), []byte("old2")))
	noFallbacks := mustSigner(t, "current", signing.WithFallbackKeys())

	for _, src := range []*signing.Signer{current, old1, old2} {
		signed := src.Sign("value")
		if v, err := rotated.Unsign(signed); err != nil || v != "value" {
			t.Errorf("rotated.Unsign(%q) = %q, %v", signed, v, err)
		}
	}
	if _, err := rotated.Unsign(other.Sign("value")); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("a value signed with an unrelated key: err = %v", err)
	}
	if _, err := noFallbacks.Unsign(old1.Sign("value")); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("an empty fallback list accepted an old key: err = %v", err)
	}
	if v, err := noFallbacks.Unsign(current.Sign("value")); err != nil || v != "value" {
		t.Errorf("an empty fallback list refused the current key: %q, %v", v, err)
	}
	// Signing always uses the current key.
	if got, want := rotated.Sign("value"), current.Sign("value"); got != want {
		t.Errorf("rotated.Sign = %q, want the current key's %q", got, want)
	}
	if got, want := rotated.Signature("value"), current.Signature("value"); got != want {
		t.Errorf("rotated.Signature = %q, want %q", got, want)
	}
	if _, err := old1.Unsign(rotated.Sign("value")); err == nil {
		t.Error("a value signed by the rotated signer verifies with the old key")
	}
}

// TestFallbackKeysAreCopied checks that mutating the slice passed to
// WithFallbackKeys after construction has no effect.
func TestFallbackKeysAreCopied(t *testing.T) {
	old := []byte("old-key")
	s := mustSigner(t, "current", signing.WithFallbackKeys(old))
	signed := mustSigner(t, "old-key").Sign("v")
	copy(old, "XXXXXXX")
	if _, err := s.Unsign(signed); err != nil {
		t.Errorf("Unsign after mutating the fallback slice: %v", err)
	}
}

// TestNilOptionsIgnored checks that nil options are skipped.
func TestNilOptionsIgnored(t *testing.T) {
	s := mustSigner(t, testKey, nil, signing.WithClock(nil))
	if got := s.Sign("hello"); got != "hello:nrtvkW2YN8hHyU0pHX013RLwwL4tskEVHfWExG1h4m8" {
		t.Errorf("Sign = %q", got)
	}
}

// TestSignerConcurrent signs and verifies from many goroutines at once; run
// with -race it checks that the pooled HMAC states are not shared.
func TestSignerConcurrent(t *testing.T) {
	s := mustSigner(t, testKey, signing.WithFallbackKeys([]byte("old")))
	old := mustSigner(t, "old")
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				v := strings.Repeat("x", g+i%7)
				if got := s.Sign(v); got != v+":"+s.Signature(v) {
					errs <- errors.New("inconsistent signature")
					return
				}
				if _, err := s.Unsign(old.Sign(v)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
