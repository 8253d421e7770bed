package messages

import (
	"strings"
	"testing"

	"github.com/tetherweb/tether/signing"
	"github.com/tetherweb/tether/store/cookiestore"
)

// A value signed with the same secret for another purpose is not a messages
// cookie, even when its payload is a valid message list: the salt separates
// them. The other purposes are a cookie.Signed cookie named "messages"
// (cookie key, salt "messages"), Django's signed_cookies session (plain key,
// its salt) and signing.Dumps (plain key, "django.core.signing").
func TestCookieFromAnotherPurposeRejected(t *testing.T) {
	payload := encodeList([]Message{{level: LevelError, text: "<script>x</script>", safe: true}}, false, false)
	signer := func(key []byte, salt string) *signing.TimestampSigner {
		t.Helper()
		s, err := signing.NewTimestampSigner(key, signing.WithSalt(salt), signing.WithCompression(true))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	forged := map[string]string{
		"cookie.Signed named messages": signer(cookieKey(testKey), "messages").SignBytes(payload),
		"signed_cookies session":       signer(testKey, cookiestore.DjangoSalt).SignBytes(payload),
		"signing.Dumps":                signer(testKey, signing.DefaultDumpsSalt).SignBytes(payload),
		"messages salt, plain key":     signer(testKey, DjangoCookieSalt).SignBytes(payload),
	}
	// The control: the same payload signed for messages is accepted.
	forged["control"] = signer(cookieKey(testKey), DjangoCookieSalt).SignBytes(payload)
	for name, v := range forged {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, &Manager{Storage: NewFallbackStorage(testKey)})
			s.setCookie("messages", v)
			got := s.show()
			if name == "control" {
				if !strings.Contains(got, "<script>") {
					t.Fatalf("the genuine cookie was not read: %q", got)
				}
				return
			}
			if got != "" {
				t.Fatalf("accepted: %q", got)
			}
		})
	}
}
