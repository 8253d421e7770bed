package memcachestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/servicetest"
)

// startMemcached starts a private memcached with the extra args, listening
// on a free port of the loopback, and returns its address. It is killed
// when the test ends. Without a memcached binary the test is skipped, or
// fails when services are required.
func startMemcached(t *testing.T, args ...string) string {
	t.Helper()
	addr, _ := startMemcachedProcess(t, args...)
	return addr
}

// startMemcachedProcess is startMemcached, and also returns the process
// (for signals).
func startMemcachedProcess(t *testing.T, args ...string) (string, *os.Process) {
	t.Helper()
	bin, err := exec.LookPath("memcached")
	if err != nil {
		servicetest.Unavailable(t, "no memcached binary to start a private server: %v", err)
	}
	base := []string{"-l", "127.0.0.1", "-U", "0", "-m", "8"}
	if os.Geteuid() == 0 {
		// memcached refuses to run as root without -u.
		name := "memcache"
		if _, err := user.Lookup(name); err != nil {
			name = "nobody"
		}
		base = append(base, "-u", name)
	}
	var lastErr string
	for range 3 { // the free port may be taken before memcached binds it
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()

		var stderr bytes.Buffer
		cmd := exec.Command(bin, append(append([]string{"-p", strconv.Itoa(port)}, base...), args...)...)
		cmd.Stdout, cmd.Stderr = &stderr, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting %s: %v", bin, err)
		}
		exited := make(chan struct{})
		go func() {
			cmd.Wait()
			close(exited)
		}()
		t.Cleanup(func() {
			cmd.Process.Kill()
			<-exited
		})
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
			select {
			case <-exited:
				lastErr = fmt.Sprintf("memcached exited: %s", stderr.String())
				deadline = time.Time{} // try another port
				continue
			default:
			}
			if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				c.Close()
				return addr, cmd.Process
			}
			time.Sleep(10 * time.Millisecond)
		}
		if lastErr == "" {
			lastErr = "memcached did not answer within 5s"
		}
	}
	t.Fatalf("could not start a private memcached: %s", lastErr)
	return "", nil
}

// TestCASDisabled: a memcached started with -C sends CAS unique 0 and
// refuses every "cas". The store reports that as ErrCASDisabled, never as
// a conflict (which the session Manager would retry) or ErrExists.
func TestCASDisabled(t *testing.T) {
	addr := startMemcached(t, "-C")
	s := New(newClient(t, addr), WithPrefix(randomPrefix()))
	ctx := context.Background()
	key := session.NewKey()
	rec := session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}
	v, err := s.Create(ctx, key, rec) // "add" needs no CAS
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	rec.Version = v
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, ErrCASDisabled) {
			t.Errorf("%s on memcached -C: %v, want ErrCASDisabled", what, err)
		}
		for _, wrong := range []error{session.ErrConflict, session.ErrExists, session.ErrNotFound, session.ErrUnavailable} {
			if errors.Is(err, wrong) {
				t.Errorf("%s on memcached -C: %v matches %v", what, err, wrong)
			}
		}
	}
	_, err = s.Load(ctx, key)
	check("Load", err)
	_, err = s.Update(ctx, key, rec)
	check("Update", err)
	_, err = s.Create(ctx, key, rec)
	check("Create over a record", err)
	if err := s.Delete(ctx, key); err != nil {
		t.Errorf("Delete: %v", err)
	}
}

// TestContextErrors: a context past its deadline gives errors matching
// context.DeadlineExceeded and session.ErrUnavailable (503), as in the
// other stores; a cancelled one matches context.Canceled only. No server
// is needed: the context is checked before anything is sent.
func TestContextErrors(t *testing.T) {
	s := New(memcache.New("127.0.0.1:1"))
	key := session.NewKey()
	rec := session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour), Version: 1}
	calls := func(ctx context.Context) map[string]error {
		errs := map[string]error{}
		_, errs["Load"] = s.Load(ctx, key)
		_, errs["Create"] = s.Create(ctx, key, rec)
		_, errs["Update"] = s.Update(ctx, key, rec)
		errs["Delete"] = s.Delete(ctx, key)
		return errs
	}

	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	for name, err := range calls(ctx) {
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, session.ErrUnavailable) {
			t.Errorf("%s past its deadline: %v, want DeadlineExceeded and ErrUnavailable", name, err)
		}
		if got := session.StatusFor(err); got != 503 {
			t.Errorf("%s past its deadline: status %d, want 503", name, got)
		}
	}

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	for name, err := range calls(ctx) {
		if !errors.Is(err, context.Canceled) || errors.Is(err, session.ErrUnavailable) {
			t.Errorf("%s with a cancelled context: %v, want context.Canceled only", name, err)
		}
	}

	if err := wrap("load", fmt.Errorf("x: %w", context.DeadlineExceeded)); !errors.Is(err, session.ErrUnavailable) {
		t.Errorf("wrap of a deadline: %v, want ErrUnavailable", err)
	}
	if err := wrap("load", fmt.Errorf("x: %w (%w)", context.Canceled, io.EOF)); errors.Is(err, session.ErrUnavailable) {
		t.Errorf("wrap of a cancellation: %v matches ErrUnavailable", err)
	}
}
