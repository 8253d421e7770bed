package memcachestore

import (
	"syscall"
	"testing"
	"time"

	"github.com/tetherweb/tether/testkit/faultproxy"
	"github.com/tetherweb/tether/testkit/servicetest"
	"github.com/tetherweb/tether/testkit/storetest"
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
			pause := func() { servicetest.Stop(t, proc.Pid) } // waits until it has stopped
			resume := func() {
				if err := proc.Signal(syscall.SIGCONT); err != nil {
					t.Fatalf("memcached: SIGCONT: %v", err)
				}
			}
			storetest.RunHung(t, New(client, WithPrefix(randomPrefix())), pause, resume)
		})
	}
}

// TestCutOff: Updates and Creates cancelled at random points leave the
// old record or the new one, whole (storetest.RunCutOff).
func TestCutOff(t *testing.T) {
	storetest.RunCutOff(t, newTestStore(t))
}

// TestFaultsUnderLoad: a private memcached is paused (SIGSTOP), and a
// proxy in front of the test memcached is cut (as if the server died, with
// the data kept), while clients increment counters through a
// session.Manager (storetest.RunFaultUnderLoad): 503 within the bound
// during the fault, success after, no lost or corrupt record.
func TestFaultsUnderLoad(t *testing.T) {
	t.Run("pause", func(t *testing.T) {
		addr, proc := startMemcachedProcess(t)
		client := newClient(t, addr)
		client.Timeout = 0 // the default, 500 ms
		storetest.RunFaultUnderLoad(t, New(client, WithPrefix(randomPrefix())),
			func() { servicetest.Stop(t, proc.Pid) }, func() { proc.Signal(syscall.SIGCONT) }, true)
	})
	t.Run("kill", func(t *testing.T) {
		addr := servicetest.MemcachedAddr(t)
		proxy := faultproxy.New(t, addr)
		client := newClient(t, proxy.Addr())
		client.Timeout = 0
		s := newTracked(t, addr, New(client, WithPrefix(randomPrefix())))
		storetest.RunFaultUnderLoad(t, s, proxy.Stop, proxy.Start, true)
	})
}
