package filestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/storetest"
	"go.uber.org/goleak"
)

// Environment of the helper processes of TestCrossProcessWriters.
const (
	helperDirEnv = "FILESTORE_TEST_HELPER_DIR"
	helperKeyEnv = "FILESTORE_TEST_HELPER_KEY"
	helperIDEnv  = "FILESTORE_TEST_HELPER_ID"
	helperWrites = 100
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		os.Exit(crashMain(dir, os.Getenv(helperKeyEnv)))
	}
	if dir := os.Getenv(helperDirEnv); dir != "" {
		os.Exit(helperMain(dir, os.Getenv(helperKeyEnv), os.Getenv(helperIDEnv)))
	}
	// Fails the tests when a goroutine they started still runs after them.
	goleak.VerifyTestMain(m)
}

func newTestStore(t testing.TB, opts ...Option) *Store {
	t.Helper()
	s, err := New(t.TempDir(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store { return newTestStore(t) })
}

func TestConformanceRawKeys(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		return newTestStore(t, WithHashKeys(false), WithPrefix("sessionid"))
	})
}

func TestConformanceSync(t *testing.T) {
	if testing.Short() {
		t.Skip("fsync on every write is slow")
	}
	storetest.Run(t, func(t *testing.T) session.Store {
		return newTestStore(t, WithSync(true), WithPrefix(""))
	})
}

// Two Stores on one directory have separate in-process locks, so only the
// flock keeps their compare-and-swap atomic.
func TestConcurrentWritersTwoStores(t *testing.T) {
	dir := t.TempDir()
	a, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	storetest.RunConcurrentWriters(t, storetest.Writers, a, b)
}

// helperMain is a helper process of TestCrossProcessWriters: it says it is
// ready, waits for the go signal, then appends "id-i;" to the key's data
// helperWrites times with compare-and-swap and prints how many conflicts it
// retried.
func helperMain(dir, key, id string) int {
	s, err := New(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := os.WriteFile(filepath.Join(dir, "ready-"+id), nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, "go")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "no go signal")
			return 1
		}
	}
	conflicts, err := appendN(s, key, id, helperWrites)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Print(conflicts)
	return 0
}

// appendN appends "id-i;" to the key's data n times with compare-and-swap
// and returns how many conflicts it retried.
func appendN(s *Store, key, id string, n int) (int, error) {
	ctx := context.Background()
	conflicts := 0
	for i := range n {
		for {
			rec, err := s.Load(ctx, key)
			if err != nil {
				return conflicts, err
			}
			data := append(bytes.Clone(rec.Data), fmt.Sprintf("%s-%d;", id, i)...)
			_, err = s.Update(ctx, key, session.Record{Data: data, Expiry: rec.Expiry, Version: rec.Version})
			if err == nil {
				break
			}
			if !errors.Is(err, session.ErrConflict) {
				return conflicts, err
			}
			conflicts++
		}
	}
	return conflicts, nil
}

func TestCrossProcessWriters(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no cross-process lock on " + runtime.GOOS)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip("cannot find the test binary:", err)
	}
	s := newTestStore(t)
	ctx := context.Background()
	key := session.NewKey()
	if _, err := s.Create(ctx, key, session.Record{Data: []byte{}, Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	ids := []string{"p0", "p1", "p2", "g0", "g1"}
	// Helpers and goroutines start together once every helper is ready,
	// so that the processes really contend.
	ready := make(chan struct{})
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		conflicts = make(map[string]int)
	)
	helpers := 0
	for _, id := range ids {
		wg.Add(1)
		if id[0] == 'p' { // another process
			helpers++
			cmd := exec.Command(exe, "-test.run=^$")
			cmd.Env = append(os.Environ(), helperDirEnv+"="+s.Dir(), helperKeyEnv+"="+key, helperIDEnv+"="+id)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			go func() {
				defer wg.Done()
				out, err := cmd.Output()
				if err != nil {
					t.Errorf("helper %s: %v\n%s", id, err, stderr.Bytes())
					return
				}
				n, _ := strconv.Atoi(string(out))
				mu.Lock()
				conflicts[id] = n
				mu.Unlock()
			}()
		} else { // a goroutine of this process
			go func() {
				defer wg.Done()
				<-ready
				n, err := appendN(s, key, id, helperWrites)
				if err != nil {
					t.Errorf("goroutine %s: %v", id, err)
				}
				mu.Lock()
				conflicts[id] = n
				mu.Unlock()
			}()
		}
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		m, _ := filepath.Glob(filepath.Join(s.Dir(), "ready-*"))
		if len(m) == helpers {
			break
		}
		if time.Now().After(deadline) || t.Failed() {
			t.Fatalf("%d of %d helpers ready", len(m), helpers)
		}
	}
	if err := os.WriteFile(filepath.Join(s.Dir(), "go"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	close(ready)
	wg.Wait()
	t.Logf("conflicts retried: %v", conflicts)
	rec, err := s.Load(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(rec.Data), ";"), ";")
	seen := make(map[string]int)
	for _, f := range got {
		seen[f]++
	}
	for _, id := range ids {
		for i := range helperWrites {
			if f := fmt.Sprintf("%s-%d", id, i); seen[f] != 1 {
				t.Errorf("%s appears %d times", f, seen[f])
			}
		}
	}
	if want := len(ids) * helperWrites; len(got) != want {
		t.Errorf("%d appends in the data, want %d", len(got), want)
	}
}

func TestNewDirectory(t *testing.T) {
	base := t.TempDir()
	missing := filepath.Join(base, "a", "sessions")
	if _, err := New(missing); err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("New on a missing directory: %v, want an error matching fs.ErrNotExist", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("New without WithCreateDir created the directory")
	}
	s, err := New(missing, WithCreateDir(true))
	if err != nil {
		t.Fatalf("New with WithCreateDir: %v", err)
	}
	fi, err := os.Stat(missing)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
		t.Errorf("created directory has mode %v, want 0700", fi.Mode().Perm())
	}
	if s.Dir() != missing {
		t.Errorf("Dir() = %q, want %q", s.Dir(), missing)
	}

	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(file); err == nil {
		t.Error("New on a regular file succeeded")
	}
	if _, err := New(""); err == nil {
		t.Error("New with no directory succeeded")
	}
}

func TestNewPrefix(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"../x", "a/b", ".hidden", "sp ace", "x\x00", strings.Repeat("a", 65)} {
		if _, err := New(dir, WithPrefix(p)); err == nil {
			t.Errorf("New accepted the prefix %q", p)
		}
	}
	for _, p := range []string{"", "sessionid", "My_Sessions-1"} {
		if _, err := New(dir, WithPrefix(p)); err != nil {
			t.Errorf("New refused the prefix %q: %v", p, err)
		}
	}
}

func TestFileLayout(t *testing.T) {
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Unix(1_900_000_000, 123_456_789)
	for _, tc := range []struct {
		name string
		opts []Option
		file string
	}{
		{"hashed", nil, DefaultPrefix + session.HashKey(key)},
		{"raw", []Option{WithHashKeys(false), WithPrefix("sessionid")}, "sessionid" + key},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t, tc.opts...)
			v, err := s.Create(ctx, key, session.Record{Data: []byte("a\nb\x00"), Expiry: expiry})
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(s.Dir(), tc.file)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatalf("session file: %v", err)
			}
			want := fmt.Sprintf("tether-session v1 %d 1900000000123456789\na\nb\x00", v)
			if string(b) != want {
				t.Errorf("file holds %q, want %q", b, want)
			}
			if runtime.GOOS != "windows" {
				for _, name := range []string{tc.file, lockName} {
					fi, err := os.Stat(filepath.Join(s.Dir(), name))
					if err != nil {
						t.Fatal(err)
					}
					if fi.Mode().Perm() != 0o600 {
						t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
					}
				}
			}
			if names := dirNames(t, s.Dir()); strings.Join(names, " ") != strings.Join(sorted(lockName, tc.file), " ") {
				t.Errorf("directory holds %v, want only the lock and the session file", names)
			}
		})
	}
}

func sorted(s ...string) []string { sort.Strings(s); return s }

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// snapshot describes every file under root: name, size, mode, time.
func snapshot(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %v %d\n", p, fi.Size(), fi.Mode(), fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var invalidKeys = []string{
	"",
	"../../etc/passwd",
	"../../../../../../../../../../..", // 32 characters
	"/etc/passwd",
	"..",
	".lock",
	".tmp-123",
	"abc/def",
	`abc\def`,
	"a\x00b",
	strings.Repeat("A", 32),             // upper case
	strings.Repeat("a", 31),             // too short
	strings.Repeat("a", 33),             // too long
	session.HashKey("x"),                // a stored ID is not a key
	strings.Repeat("a", 31) + "é"[:1],   // half a UTF-8 sequence
	strings.Repeat("a", 30) + "é",       // 32 bytes, not ASCII
	"tether-" + strings.Repeat("a", 25), // 32 characters with a dash
	strings.Repeat("a", 31) + "\n",      // newline
	strings.Repeat("a", 14) + "/../" + strings.Repeat("a", 14), // traversal in the middle
}

func TestInvalidKeys(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "sessions")
	for _, raw := range []bool{false, true} {
		t.Run(fmt.Sprintf("raw=%v", raw), func(t *testing.T) {
			s, err := New(dir, WithCreateDir(true), WithHashKeys(!raw), WithPrefix(""))
			if err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, base)

			// Hold the lock from elsewhere: a call that reached for it
			// would block until its context ends.
			release, err := lockFile(context.Background(), filepath.Join(dir, lockName))
			if err != nil {
				t.Fatal(err)
			}
			defer release()
			s.mu <- struct{}{}
			defer func() { <-s.mu }()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()

			rec := session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour), Version: 1}
			for _, key := range invalidKeys {
				start := time.Now()
				_, err := s.Load(ctx, key)
				wantErrs(t, "Load "+strconv.Quote(key), err, ErrInvalidKey, session.ErrNotFound)
				_, err = s.Create(ctx, key, rec)
				wantErrs(t, "Create "+strconv.Quote(key), err, ErrInvalidKey)
				if errors.Is(err, session.ErrNotFound) {
					t.Errorf("Create %q: error %v matches ErrNotFound", key, err)
				}
				_, err = s.Update(ctx, key, rec)
				wantErrs(t, "Update "+strconv.Quote(key), err, ErrInvalidKey, session.ErrNotFound)
				err = s.Delete(ctx, key)
				wantErrs(t, "Delete "+strconv.Quote(key), err, ErrInvalidKey, session.ErrNotFound)
				if d := time.Since(start); d > time.Second {
					t.Errorf("key %q: calls took %v: they waited for the lock", key, d)
				}
			}
			if after := snapshot(t, base); after != before {
				t.Errorf("invalid keys changed the file system:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

func wantErrs(t *testing.T, what string, err error, targets ...error) {
	t.Helper()
	for _, target := range targets {
		if !errors.Is(err, target) {
			t.Errorf("%s: error %v does not match %v", what, err, target)
		}
	}
}

func TestCorruptFiles(t *testing.T) {
	ctx := context.Background()
	cases := map[string]string{
		"empty":           "",
		"no newline":      "tether-session v1 5 99999999999999999999",
		"wrong magic":     "django-session v1 5 4102444800000000000\ndata",
		"future format":   "tether-session v2 5 4102444800000000000\ndata",
		"zero version":    "tether-session v1 0 4102444800000000000\ndata",
		"signed version":  "tether-session v1 +5 4102444800000000000\ndata",
		"huge version":    "tether-session v1 18446744073709551616 4102444800000000000\ndata",
		"bad expiry":      "tether-session v1 5 soon\ndata",
		"signed expiry":   "tether-session v1 5 +4102444800000000000\ndata",
		"huge expiry":     "tether-session v1 5 99999999999999999999\ndata",
		"missing expiry":  "tether-session v1 5\ndata",
		"extra field":     "tether-session v1 5 4102444800000000000 x\ndata",
		"double space":    "tether-session v1  5 4102444800000000000\ndata",
		"long first line": "tether-session v1 5 4102444800000000000" + strings.Repeat("0", 100) + "\n",
		"binary":          "\x00\xff\xfe\n\n",
	}
	s := newTestStore(t)
	live := session.NewKey()
	lv, err := s.Create(ctx, live, session.Record{Data: []byte("live"), Expiry: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	keys := make(map[string]string)
	for name, content := range cases {
		key := session.NewKey()
		keys[name] = key
		if err := os.WriteFile(s.path(key), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := s.Load(ctx, key)
		wantErrs(t, name+": Load", err, session.ErrNotFound, ErrCorrupt)
		_, err = s.Update(ctx, key, session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour), Version: 5})
		wantErrs(t, name+": Update", err, session.ErrNotFound, ErrCorrupt)
	}
	if n, err := s.Count(ctx); err != nil || n != 1 {
		t.Errorf("Count = %d, %v; want 1 (corrupt files skipped)", n, err)
	}
	if l, err := s.List(ctx, "", 0); err != nil || len(l) != 1 {
		t.Errorf("List = %v, %v; want the live record only", l, err)
	}

	// Create replaces a corrupt file.
	k := keys["wrong magic"]
	v, err := s.Create(ctx, k, session.Record{Data: []byte("fresh"), Expiry: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatalf("Create over a corrupt file: %v", err)
	}
	if rec, err := s.Load(ctx, k); err != nil || string(rec.Data) != "fresh" || rec.Version != v {
		t.Errorf("Load after Create over a corrupt file = %+v, %v", rec, err)
	}

	// DeleteExpired removes the others.
	if n, err := s.DeleteExpired(ctx, 0); err != nil || n != len(cases)-1 {
		t.Errorf("DeleteExpired = %d, %v; want %d", n, err, len(cases)-1)
	}
	for name, key := range keys {
		if _, err := os.Stat(s.path(key)); (name == "wrong magic") != (err == nil) {
			t.Errorf("%s: file after DeleteExpired: %v", name, err)
		}
	}
	if rec, err := s.Load(ctx, live); err != nil || rec.Version != lv {
		t.Errorf("live record after DeleteExpired = %+v, %v", rec, err)
	}
}

func TestParseHeaderNeverPanics(t *testing.T) {
	good := appendHeader(nil, 12345, 4102444800000000000)
	for i := range len(good) + 1 {
		for _, b := range [][]byte{good[:i], append(bytes.Clone(good[:i]), '\n')} {
			parseHeader(b)
		}
	}
	h, err := parseHeader(append(good, "data"...))
	if err != nil || h.version != 12345 || h.expiry != 4102444800000000000 || h.size != len(good) {
		t.Errorf("parseHeader(good) = %+v, %v", h, err)
	}
}

func TestDeleteExpiredLeavesOtherFiles(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	dir := s.Dir()
	past := time.Now().Add(-time.Hour)
	write := func(name, content string, mtime time.Time) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	expired := "tether-session v1 1 0\n"
	write(".tmp-crashed", "half a rec", past)
	write(".tmp-writing", "in progress", time.Now())
	write("README", expired, past)
	write("tether-short", expired, past)
	write("other-"+session.HashKey("k"), expired, past)
	write(strings.ToUpper(DefaultPrefix+session.HashKey("k")), expired, past)
	if err := os.Mkdir(filepath.Join(dir, DefaultPrefix+session.HashKey("d")), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, session.NewKey(), session.Record{Data: []byte("x"), Expiry: past}); err != nil {
		t.Fatal(err)
	}
	before := dirNames(t, dir)

	n, err := s.DeleteExpired(ctx, 0)
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpired = %d, %v; want 1 (temporary files are not counted)", n, err)
	}
	var want []string
	for _, name := range before {
		if name != ".tmp-crashed" && !(strings.HasPrefix(name, DefaultPrefix) && len(name) == len(DefaultPrefix)+64 && name != DefaultPrefix+session.HashKey("d")) {
			want = append(want, name)
		}
	}
	if got := dirNames(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("after DeleteExpired the directory holds\n%v\nwant\n%v", got, want)
	}
}

func TestLockHonoursContext(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	key := session.NewKey()
	v, err := s.Create(ctx, key, session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	// Another "process" holds the lock.
	release, err := lockFile(ctx, filepath.Join(s.Dir(), lockName))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" || runtime.GOOS == "darwin" || strings.HasSuffix(runtime.GOOS, "bsd") {
		tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		start := time.Now()
		_, err = s.Update(tctx, key, session.Record{Data: []byte("y"), Expiry: time.Now().Add(time.Hour), Version: v})
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Update while another process holds the lock: %v, want DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Update gave up after %v", d)
		}
	}
	// Once it is released, writes go through again, also after a waiter gave up.
	done := make(chan error, 1)
	go func() {
		_, err := s.Update(ctx, key, session.Record{Data: []byte("z"), Expiry: time.Now().Add(time.Hour), Version: v})
		done <- err
	}()
	release()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Update after release: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Update still blocked after the lock was released")
	}
}

func TestExpiryOutOfRange(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	old, far := session.NewKey(), session.NewKey()
	if _, err := s.Create(ctx, old, session.Record{Data: []byte("x")}); err != nil { // zero time
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, old); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Load of a record expiring in year 1: %v", err)
	}
	if _, err := s.Create(ctx, far, session.Record{Data: []byte("x"), Expiry: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	rec, err := s.Load(ctx, far)
	if err != nil {
		t.Fatalf("Load of a record expiring in year 3000: %v", err)
	}
	if y := rec.Expiry.UTC().Year(); y != 2262 {
		t.Errorf("expiry in year 3000 stored as year %d, want 2262", y)
	}
}

func BenchmarkLoad(b *testing.B) {
	s := newTestStore(b)
	ctx := context.Background()
	key := session.NewKey()
	if _, err := s.Create(ctx, key, session.Record{Data: make([]byte, 256), Expiry: time.Now().Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkUpdate(b *testing.B, opts ...Option) {
	s := newTestStore(b, opts...)
	ctx := context.Background()
	key := session.NewKey()
	rec := session.Record{Data: make([]byte, 256), Expiry: time.Now().Add(time.Hour)}
	v, err := s.Create(ctx, key, rec)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rec.Version = v
		if v, err = s.Update(ctx, key, rec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdate(b *testing.B) { benchmarkUpdate(b) }

func BenchmarkUpdateSync(b *testing.B) { benchmarkUpdate(b, WithSync(true)) }

func BenchmarkCreateDelete(b *testing.B) {
	s := newTestStore(b)
	ctx := context.Background()
	rec := session.Record{Data: make([]byte, 256), Expiry: time.Now().Add(time.Hour)}
	b.ReportAllocs()
	for b.Loop() {
		key := session.NewKey()
		if _, err := s.Create(ctx, key, rec); err != nil {
			b.Fatal(err)
		}
		if err := s.Delete(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConcurrentRequests: 200 concurrent requests of one client through a
// session.Manager lose no write.
func TestConcurrentRequests(t *testing.T) {
	storetest.RunConcurrentRequests(t, func(t *testing.T) session.Store { return newTestStore(t) })
}
