package djangointerop

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/filestore"
)

// fileScript is the Django side of the file-backend check.
const fileScript = "sessions_file.py"

// djangoFileRead is what sessions_file.py read prints.
type djangoFileRead struct {
	Exists    bool           `json:"exists"`
	Data      map[string]any `json:"data"`
	ExpiryAge int            `json:"expiry_age"`
}

func readDjangoFile(t *testing.T, dir, key string) djangoFileRead {
	t.Helper()
	var r djangoFileRead
	if err := json.Unmarshal(runPython(t, fileScript, nil, dir, "read", key), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// Django's file backend and a filestore in Django's layout share one
// SESSION_FILE_PATH: each side reads and changes what the other wrote, a
// Go expiry holds for Django (SetExpiry, and a dead record that Django's
// clearsessions removes), Go's logout removes the file, and a spoiled file
// is an empty session and a log line for Go.
func TestSharedFilesWithDjango(t *testing.T) {
	djangoPython(t)
	dir := t.TempDir()
	store, err := filestore.New(dir, filestore.WithDjangoLayout("sessionid", 0))
	if err != nil {
		t.Fatal(err)
	}
	codec, err := session.NewDjangoCodec([]byte(djangoKey))
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	mgr := &session.Manager{Store: store, Codec: codec, Logger: slog.New(slog.NewTextHandler(&log, nil))}

	// Django writes; Go reads and changes the cart; Django reads it back.
	var written struct{ Key string }
	json.Unmarshal(runPython(t, fileScript, []byte(`{"_auth_user_id":"7","cart":{"5":2},"name":"Zo\u00eb"}`), dir, "write"), &written)
	if _, err := os.Stat(filepath.Join(dir, "sessionid"+written.Key)); err != nil {
		t.Fatalf("Django's file: %v", err)
	}
	resp := serveWith(mgr, func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		user, _ := session.Value[string](s, "_auth_user_id")
		name, _ := session.Value[string](s, "name")
		if user != "7" || name != "Zoë" {
			t.Errorf("Go read user %q name %q from Django's file", user, name)
		}
		session.Update(s, "cart", func(c map[string]int) map[string]int { c["5"]++; return c })
	}, written.Key)
	if resp.StatusCode != 200 {
		t.Fatalf("Go request on Django's file: %d", resp.StatusCode)
	}
	got := readDjangoFile(t, dir, written.Key)
	if cart, _ := got.Data["cart"].(map[string]any); !got.Exists || cart["5"] != 3.0 || got.Data["name"] != "Zoë" {
		t.Fatalf("Django reads back %+v", got)
	}

	// Go creates a session with its own expiry; Django reads it.
	resp = serveWith(mgr, func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		s.Set("_auth_user_id", "8")
		s.SetExpiry(300 * time.Second)
	}, "")
	goKey := sessionCookie(resp)
	if got := readDjangoFile(t, dir, goKey); !got.Exists || got.Data["_auth_user_id"] != "8" || got.ExpiryAge != 300 {
		t.Fatalf("Django reads Go's session as %+v", got)
	}

	// A record Go stored dead (its expiry passed) is dead for Django too:
	// clearsessions removes its file and keeps the live ones.
	deadKey := session.NewKey()
	data, _ := codec.Encode(map[string][]byte{"cart": []byte("[1]")})
	if _, err := store.Create(t.Context(), deadKey, session.Record{Data: data, Expiry: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	var left struct{ Left []string }
	json.Unmarshal(runPython(t, fileScript, nil, dir, "clear"), &left)
	want := []string{"sessionid" + written.Key, "sessionid" + goKey}
	slices.Sort(want)
	if !slices.Equal(left.Left, want) {
		t.Fatalf("after clearsessions: %v", left.Left)
	}

	// Go logs out: the file is gone for Django.
	serveWith(mgr, func(w http.ResponseWriter, r *http.Request) { session.From(r).Flush() }, written.Key)
	if got := readDjangoFile(t, dir, written.Key); got.Exists {
		t.Fatalf("Django still reads the flushed session: %+v", got)
	}

	// A spoiled file: an empty session for Go, with a log line.
	if err := os.WriteFile(filepath.Join(dir, "sessionid"+goKey), []byte("garbage:not:signed"), 0o600); err != nil {
		t.Fatal(err)
	}
	log.Reset()
	resp = serveWith(mgr, func(w http.ResponseWriter, r *http.Request) {
		if keys := session.From(r).Keys(); len(keys) != 0 {
			t.Errorf("Go reads the spoiled file as %v", keys)
		}
	}, goKey)
	if resp.StatusCode != 200 || !strings.Contains(log.String(), "does not decode") {
		t.Fatalf("spoiled file: status %d, log %q", resp.StatusCode, log.String())
	}
}
