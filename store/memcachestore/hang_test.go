package memcachestore

import (
	"syscall"
	"testing"
	"time"

	"github.com/tetherweb/tether/internal/storetest"
)

// TestHungServer pauses a private memcached (SIGSTOP) under the store
// (storetest.RunHung: every call with a 1 s deadline answers
// session.ErrUnavailable within 1.5 s, and the store works after SIGCONT),
// with the client's default Timeout (500 ms, shorter than the deadline)
// and with a Timeout of 5 s, longer than the deadline, whose calls the
// store then detaches.
func TestHungServer(t *testing.T) {
	for name, timeout := range map[string]time.Duration{"default timeout": 0, "5s timeout": 5 * time.Second} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			addr, proc := startMemcachedProcess(t)
			client := newClient(t, addr)
			client.Timeout = timeout
			signal := func(sig syscall.Signal) func() {
				return func() {
					if err := proc.Signal(sig); err != nil {
						t.Fatalf("memcached: %v: %v", sig, err)
					}
				}
			}
			storetest.RunHung(t, New(client, WithPrefix(randomPrefix())), signal(syscall.SIGSTOP), signal(syscall.SIGCONT))
		})
	}
}

// TestCutOff: Updates and Creates cancelled at random points leave the
// old record or the new one, whole (storetest.RunCutOff).
func TestCutOff(t *testing.T) {
	storetest.RunCutOff(t, newTestStore(t))
}
