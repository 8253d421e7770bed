package main

import (
	"bytes"
	"context"
	"fmt"
	"github.com/tetherweb/tether/testkit/servicetest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/dsn"
)

// seed writes live and expired records into the store at storeDSN and
// returns one live key.
func seed(t *testing.T, storeDSN string, live, expired int) string {
	t.Helper()
	s, err := dsn.Open(storeDSN, dsn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var first string
	for i := range live + expired {
		key := session.NewKey()
		exp := time.Now().Add(time.Hour)
		if i >= live {
			exp = time.Now().Add(-time.Hour)
		}
		data := []byte(fmt.Sprintf(`{"user":"demo","n":%d}`, i))
		if _, err := s.Create(ctx, key, session.Record{Data: data, Expiry: exp}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = key
		}
	}
	return first
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func stores(t *testing.T) []string {
	dir := t.TempDir()
	return []string{"sqlite:" + filepath.Join(dir, "s.db"), "file:" + dir}
}

func TestClearSessionsInBatches(t *testing.T) {
	for _, d := range stores(t) {
		t.Run(strings.Split(d, ":")[0], func(t *testing.T) {
			live := seed(t, d, 3, 25)
			code, out, errs := runCLI(t, "clearsessions", "--store", d, "--batch", "10")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			for _, want := range []string{"deleted 10 expired sessions so far", "deleted 20 expired sessions so far", "deleted 25 expired sessions\n"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			// The live sessions are still there.
			if code, out, _ := runCLI(t, "sessions", "show", live, "--store", d); code != 0 || !strings.Contains(out, `"user": "demo"`) {
				t.Fatalf("live session gone after clearsessions (exit %d):\n%s", code, out)
			}
			if code, out, _ := runCLI(t, "clearsessions", "--store", d); code != 0 || !strings.Contains(out, "deleted 0 expired") {
				t.Fatalf("second run: exit %d, %s", code, out)
			}
		})
	}
}

func TestSessionsListAndShow(t *testing.T) {
	for _, d := range stores(t) {
		t.Run(strings.Split(d, ":")[0], func(t *testing.T) {
			key := seed(t, d, 3, 2)
			code, out, errs := runCLI(t, "sessions", "list", "--store", d)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 5 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[4], "3 shown, 3 live in all") {
				t.Fatalf("list output:\n%s", out)
			}
			if strings.Contains(out, key) {
				t.Error("the listing shows a usable session key (IDs should be hashes)")
			}
			code, out, _ = runCLI(t, "sessions", "show", key, "--store", d)
			if code != 0 || !strings.Contains(out, "expires: ") || !strings.Contains(out, `"user": "demo"`) {
				t.Fatalf("show: exit %d\n%s", code, out)
			}
			if code, _, errs := runCLI(t, "sessions", "show", session.NewKey(), "--store", d); code != 1 || !strings.Contains(errs, "no live session") {
				t.Fatalf("show unknown: exit %d %s", code, errs)
			}
			if code, _, errs := runCLI(t, "sessions", "show", "../../etc/passwd", "--store", d); code != 1 || !strings.Contains(errs, "not a session key") {
				t.Fatalf("show bad key: exit %d %s", code, errs)
			}
		})
	}
}

func TestCLIUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"clearsessions"},
		{"clearsessions", "--store", "sqlite:x.db", "--batch", "0"},
		{"sessions", "list"},
		{"sessions", "--store", "memory:"},
		{"sessions", "frobnicate", "--store", "memory:"},
	} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
	if code, _, errs := runCLI(t, "clearsessions", "--store", "nosuch:thing"); code != 1 || !strings.Contains(errs, "unknown store") {
		t.Errorf("bad DSN: exit %d, %s", code, errs)
	}
}

// TestClearSessionsSelfExpiring: a store whose backend expires records
// itself (Redis) is no session.Sweeper, and clearsessions says there is
// nothing to sweep instead of pretending to delete.
func TestClearSessionsSelfExpiring(t *testing.T) {
	addr := servicetest.RedisAddr(t)
	code, out, errs := runCLI(t, "clearsessions", "--store", "redis://"+addr+"/0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "expires its sessions by itself and needs no sweeping") || strings.Contains(out, "deleted") {
		t.Errorf("output: %q", out)
	}
}
