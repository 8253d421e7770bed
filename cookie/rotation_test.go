package cookie_test

import (
	"net/http/httptest"
	"testing"

	"github.com/tetherweb/tether/cookie"
)

// TestSignedKeyRotation: a value signed with a former key still verifies
// while that key is a fallback, and Set always signs with the current key,
// so rewriting the cookie moves it to the new key.
func TestSignedKeyRotation(t *testing.T) {
	oldKey, newKey := []byte("old-cookie-key-0123456789abcdef"), []byte("new-cookie-key-0123456789abcdef")
	old := &cookie.Signed{Key: oldKey}
	rotated := &cookie.Signed{Key: newKey, FallbackKeys: [][]byte{oldKey}}
	onlyNew := &cookie.Signed{Key: newKey}

	w := httptest.NewRecorder()
	if err := old.Set(w, "theme", "dark"); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(w.Result().Cookies()[0])
	if v, err := rotated.Get(req, "theme", 0); err != nil || v != "dark" {
		t.Fatalf("old-key cookie under rotation: %q, %v", v, err)
	}
	if _, err := onlyNew.Get(req, "theme", 0); err == nil {
		t.Fatal("old-key cookie verified without the fallback")
	}

	w = httptest.NewRecorder()
	if err := rotated.Set(w, "theme", "dark"); err != nil {
		t.Fatal(err)
	}
	req = httptest.NewRequest("GET", "/", nil)
	req.AddCookie(w.Result().Cookies()[0])
	if v, err := onlyNew.Get(req, "theme", 0); err != nil || v != "dark" {
		t.Errorf("rewritten cookie under the new key alone: %q, %v", v, err)
	}
}
