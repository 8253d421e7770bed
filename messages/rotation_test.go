package messages

import (
	"strings"
	"testing"
)

// TestKeyRotation: after a key change, a messages cookie signed with the
// old key (now a fallback) is still read, and the next cookie the site
// writes (here when a message is added) is signed with the new key alone.
func TestKeyRotation(t *testing.T) {
	oldKey, newKey := []byte("old-messages-key-0123456789abcdef"), testKey
	before := newSite(t, &Manager{Storage: NewCookieStorage(oldKey)})
	before.add(LevelInfo, "first")
	signedOld := before.cookie(DefaultCookieName)
	if signedOld == "" {
		t.Fatal("no messages cookie")
	}

	after := newSite(t, &Manager{Storage: NewCookieStorage(newKey, oldKey)})
	after.setCookie(DefaultCookieName, signedOld)
	after.add(LevelInfo, "second")
	resigned := after.cookie(DefaultCookieName)
	if resigned == "" || resigned == signedOld {
		t.Fatalf("cookie not rewritten: %q", resigned)
	}

	onlyNew := newSite(t, &Manager{Storage: NewCookieStorage(newKey)})
	onlyNew.setCookie(DefaultCookieName, resigned)
	if got := onlyNew.show(); !strings.Contains(got, "first") || !strings.Contains(got, "second") {
		t.Errorf("the rewritten cookie does not verify with the new key alone: %q", got)
	}
	onlyNew.setCookie(DefaultCookieName, signedOld)
	if got := onlyNew.show(); got != "" {
		t.Errorf("a cookie signed with the old key verified without the fallback: %q", got)
	}
}
