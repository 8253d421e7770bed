package filestore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/storetest"
)

// crashDirEnv makes the test binary a helper process that updates the
// record of helperKeyEnv in that directory and is killed (os.Process.Kill) between
// writing the temporary file and renaming it.
const crashDirEnv = "FILESTORE_TEST_CRASH_DIR"

func crashMain(dir, key string) int {
	s, err := New(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	rec, err := s.Load(ctx, key)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	crashBeforeRename = func() {
		p, _ := os.FindProcess(os.Getpid())
		p.Kill() // SIGKILL: no deferred call, no unlock, no cleanup
		select {}
	}
	_, err = s.Update(ctx, key, session.Record{Data: []byte("new"), Expiry: rec.Expiry, Version: rec.Version})
	fmt.Fprintln(os.Stderr, "the helper survived its crash:", err)
	return 1
}

// TestCrashBeforeRename: a process killed between writing a record's
// temporary file and renaming it (while holding the store's lock) leaves
// the old record loadable, the lock free, and a temporary file that no
// listing shows and that DeleteExpired removes once it is old enough to
// be no write in progress.
func TestCrashBeforeRename(t *testing.T) {
	dir := t.TempDir()
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	key := session.NewKey()
	v, err := s.Create(ctx, key, session.Record{Data: []byte("old"), Expiry: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, helperKeyEnv+"="+key)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 1 || len(out) > 0 {
		t.Fatalf("the helper was not killed: %v\n%s", err, out)
	}

	temps, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*"))
	if len(temps) != 1 {
		t.Fatalf("%d temporary files after the crash, want the one it left", len(temps))
	}
	if b, _ := os.ReadFile(temps[0]); !strings.HasSuffix(string(b), "\nnew") {
		t.Fatalf("the temporary file holds %q, want the new record", b)
	}

	// The old record loads, whole.
	rec, err := s.Load(ctx, key)
	if err != nil || string(rec.Data) != "old" || rec.Version != v {
		t.Fatalf("Load after the crash = %q version %d, %v; want \"old\" version %d", rec.Data, rec.Version, err, v)
	}
	if n, err := s.Count(ctx); err != nil || n != 1 {
		t.Errorf("Count after the crash = %d, %v; want 1 (the temporary file is no session)", n, err)
	}
	if entries, err := s.List(ctx, "", 0); err != nil || len(entries) != 1 {
		t.Errorf("List after the crash = %d entries, %v; want 1", len(entries), err)
	}

	// The lock died with the process: the next write goes through at once.
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	v2, err := s.Update(wctx, key, session.Record{Data: []byte("next"), Expiry: time.Now().Add(time.Hour), Version: v})
	if err != nil {
		t.Fatalf("Update after the crash: %v", err)
	}

	// A fresh temporary file may be a write in progress: kept.
	if _, err := s.DeleteExpired(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(temps[0]); err != nil {
		t.Fatalf("DeleteExpired removed a temporary file younger than %v: %v", tempMaxAge, err)
	}
	// Once old, it is the crash's leftover: removed, and the record stays.
	old := time.Now().Add(-2 * tempMaxAge)
	if err := os.Chtimes(temps[0], old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteExpired(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(temps[0]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("DeleteExpired left the crash's temporary file: %v", err)
	}
	rec, err = s.Load(ctx, key)
	if err != nil || string(rec.Data) != "next" || rec.Version != v2 {
		t.Fatalf("Load at the end = %q version %d, %v; want \"next\" version %d", rec.Data, rec.Version, err, v2)
	}
}

// TestCutOff: Updates and Creates cancelled at random points leave the
// old record or the new one, whole (storetest.RunCutOff).
func TestCutOff(t *testing.T) {
	storetest.RunCutOff(t, newTestStore(t))
}
