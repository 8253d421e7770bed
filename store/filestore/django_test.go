package filestore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/storetest"
)

func TestConformanceDjango(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		return newTestStore(t, WithDjangoLayout("sessionid", 0))
	})
}

func TestConformanceDjangoSync(t *testing.T) {
	if testing.Short() {
		t.Skip("fsync on every write is slow")
	}
	storetest.Run(t, func(t *testing.T) session.Store {
		return newTestStore(t, WithDjangoLayout("sessionid", 0), WithSync(true))
	})
}

func TestConcurrentRequestsDjango(t *testing.T) {
	storetest.RunConcurrentRequests(t, func(t *testing.T) session.Store {
		return newTestStore(t, WithDjangoLayout("sessionid", time.Hour))
	})
}

// Two Stores on one directory in Django's layout: only the flock keeps
// their compare-and-swap atomic.
func TestConcurrentWritersTwoStoresDjango(t *testing.T) {
	dir := t.TempDir()
	a, err := New(dir, WithDjangoLayout("sessionid", 0))
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(dir, WithDjangoLayout("sessionid", 0))
	if err != nil {
		t.Fatal(err)
	}
	storetest.RunConcurrentWriters(t, storetest.Writers, a, b)
}

// The file is <dir>/<cookie name><key> holding the data alone; its mtime
// is the expiry less the cookie age; WithPrefix and WithHashKeys do not
// change that.
func TestDjangoFileLayout(t *testing.T) {
	ctx := context.Background()
	age := 2 * time.Hour
	s := newTestStore(t, WithPrefix("other-"), WithHashKeys(true), WithDjangoLayout("sid", age))
	key := "o85gtsxrkbx3n5thi70gq8dufd5yhps6"
	expiry := time.Now().Add(30 * time.Minute).Truncate(time.Second)
	data := []byte("eyJhIjoxfQ:1r31eq:QHHKoQuNmxh3xBnmIw0GRrTd0ez6HlDa_HO3yn8zhaQ")
	v1, err := s.Create(ctx, key, session.Record{Data: data, Expiry: expiry})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(s.Dir(), "sid"+key)
	got, err := os.ReadFile(p)
	if err != nil || string(got) != string(data) {
		t.Fatalf("file %s holds %q (%v), want the data alone", p, got, err)
	}
	fi, _ := os.Stat(p)
	if d := fi.ModTime().Add(age).Sub(expiry); d > 0 || d < -time.Millisecond {
		t.Fatalf("mtime %v + age is %v off the expiry", fi.ModTime(), d)
	}
	rec, err := s.Load(ctx, key)
	if err != nil || rec.Version != v1 || string(rec.Data) != string(data) || rec.Expiry.Sub(expiry).Abs() > time.Millisecond {
		t.Fatalf("Load: %+v %v", rec, err)
	}
	// The same data and expiry again: still a new version.
	v2, err := s.Update(ctx, key, session.Record{Data: data, Expiry: expiry, Version: v1})
	if err != nil || v2 == v1 {
		t.Fatalf("Update with the same content: %v %v (old %v)", v2, err, v1)
	}
	if _, err := s.Update(ctx, key, session.Record{Data: data, Expiry: expiry, Version: v1}); !errors.Is(err, session.ErrConflict) {
		t.Fatalf("Update with a stale version: %v", err)
	}
}

// A file as Django writes it (content only, mtime at the save) is a record
// expiring cookie age after its mtime, Django's empty placeholder too;
// Django's temporary files are not session files.
func TestDjangoWrittenFiles(t *testing.T) {
	ctx := context.Background()
	age := time.Hour
	s := newTestStore(t, WithDjangoLayout("sessionid", age))
	write := func(name, content string, mtime time.Time) string {
		p := filepath.Join(s.Dir(), name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, time.Time{}, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	now := time.Now()
	live := strings.Repeat("a", 32)
	old := strings.Repeat("b", 32)
	placeholder := strings.Repeat("c", 32)
	stalePlaceholder := strings.Repeat("d", 32)
	write("sessionid"+live, "data", now.Add(-10*time.Minute))
	write("sessionid"+old, "data", now.Add(-2*time.Hour))
	write("sessionid"+placeholder, "", now)
	write("sessionid"+stalePlaceholder, "", now.Add(-2*time.Hour))
	tmp := write("sessionid"+live+"_out_x8k2j", "partial", now.Add(-2*time.Hour))

	rec, err := s.Load(ctx, live)
	if err != nil || string(rec.Data) != "data" || rec.Expiry.Sub(now.Add(50*time.Minute)).Abs() > time.Millisecond {
		t.Fatalf("Django's live file: %+v %v", rec, err)
	}
	if rec, err := s.Load(ctx, placeholder); err != nil || len(rec.Data) != 0 {
		t.Errorf("Django's placeholder: %+v %v, want a record without data", rec, err)
	}
	for _, k := range []string{old, stalePlaceholder} {
		if _, err := s.Load(ctx, k); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("Load(%s…): %v, want ErrNotFound", k[:4], err)
		}
	}
	if n, err := s.Count(ctx); err != nil || n != 2 {
		t.Errorf("Count = %d, %v; want 2", n, err)
	}
	n, err := s.DeleteExpired(ctx, 0)
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpired = %d, %v; want the old file and the stale placeholder", n, err)
	}
	for _, name := range []string{"sessionid" + live, "sessionid" + placeholder, filepath.Base(tmp)} {
		if _, err := os.Stat(filepath.Join(s.Dir(), name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestDjangoLayoutOptions(t *testing.T) {
	for _, name := range []string{"", "bad/name", "a b"} {
		if _, err := New(t.TempDir(), WithDjangoLayout(name, 0)); err == nil {
			t.Errorf("cookie name %q accepted", name)
		}
	}
	if _, err := New(t.TempDir(), WithDjangoLayout("sessionid", -time.Second)); err == nil {
		t.Error("negative cookie age accepted")
	}
	s := newTestStore(t, WithDjangoLayout("sessionid", 0))
	if !s.Django() || s.cookieAge != session.DefaultMaxAge {
		t.Errorf("Django %v, age %v", s.Django(), s.cookieAge)
	}
}
