package storetest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// FaultWorkers is how many clients RunFaultUnderLoad runs, each with its
// own session.
const FaultWorkers = 8

// FaultPhase is how long RunFaultUnderLoad keeps each phase (before the
// fault, during it) running.
const FaultPhase = 2 * time.Second

// FaultReport is what RunFaultUnderLoad saw, by phase: before the fault,
// during it, and after the heal (from the first success on).
type FaultReport struct {
	// OK and Unavailable count 200 and 503 responses by phase.
	OK, Unavailable [3]int
	// Slowest is the longest response by phase.
	Slowest [3]time.Duration
	// Recovery is how long after the heal the first request succeeded.
	Recovery time.Duration
	// Acked is the number of increments answered 200; Unknown the number
	// answered 503, which may or may not have landed.
	Acked, Unknown int
}

// String formats the report for a test log or docs/reliability.md.
func (r FaultReport) String() string {
	return fmt.Sprintf("before: %d ok, %d 503 (slowest %v); during: %d ok, %d 503 (slowest %v); after: %d ok, %d 503 (slowest %v), first success %v after the heal; %d increments acknowledged, %d of unknown outcome",
		r.OK[0], r.Unavailable[0], r.Slowest[0].Round(time.Millisecond),
		r.OK[1], r.Unavailable[1], r.Slowest[1].Round(time.Millisecond),
		r.OK[2], r.Unavailable[2], r.Slowest[2].Round(time.Millisecond), r.Recovery.Round(time.Millisecond),
		r.Acked, r.Unknown)
}

// RunFaultUnderLoad serves a counter through a session.Manager on s to
// FaultWorkers clients that increment it as fast as they can, each in its
// own session, with every store call bounded to HungDeadline (as the
// Manager's bound on store calls does). After FaultPhase it calls fault
// (kill or pause the backend), after another FaultPhase heal (restart or
// resume it), and runs until every client has succeeded again (15 s at
// most) and FaultPhase more. It checks:
//
//   - before the fault, every request succeeds;
//   - during it, every response is a 200 or a 503 (never a 500, a panic, a
//     broken connection) and none takes longer than HungBound;
//   - after the heal, requests succeed again;
//   - no write is lost and no record is corrupt: every session loads, and
//     its counter is at least the increments acknowledged with a 200, and
//     at most those plus the ones answered 503 (a write cut off by the
//     deadline may have landed).
//
// keepsData false says the fault loses the backend's data (a memcached
// restart): the counters are then not checked.
func RunFaultUnderLoad(t *testing.T, s session.Store, fault, heal func(), keepsData bool) FaultReport {
	t.Helper()
	m := &session.Manager{Store: boundedStore{s}, Logger: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /incr", func(w http.ResponseWriter, r *http.Request) {
		n, err := session.Update(session.From(r), "n", func(n int) int { return n + 1 })
		if err != nil {
			session.DefaultErrorHandler(w, r, err)
			return
		}
		fmt.Fprint(w, n)
	})
	mux.HandleFunc("GET /n", func(w http.ResponseWriter, r *http.Request) {
		n, _ := session.Value[int](session.From(r), "n")
		fmt.Fprint(w, n)
	})
	srv := httptest.NewServer(m.Middleware(mux))
	defer srv.Close()

	var (
		phase     atomic.Int32 // 0 before, 1 during, 2 after
		mu        sync.Mutex
		rep       FaultReport
		healedAt  time.Time
		failures  []string
		stop      = make(chan struct{})
		wg        sync.WaitGroup
		recovered = make([]atomic.Bool, FaultWorkers)
		acked     = make([]int, FaultWorkers)
		unknown   = make([]int, FaultWorkers)
		clients   = make([]*http.Client, FaultWorkers)
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
		mu.Unlock()
	}
	for i := range FaultWorkers {
		jar, _ := cookiejar.New(nil)
		clients[i] = &http.Client{Jar: jar, Timeout: 30 * time.Second}
		defer clients[i].CloseIdleConnections()
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				resp, err := clients[i].Post(srv.URL+"/incr", "text/plain", nil)
				took := time.Since(start)
				p := phase.Load() // a request that ends in the fault counts as during it
				if err != nil {
					fail("phase %d: a request failed without a response: %v", p, err)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				rep.Slowest[p] = max(rep.Slowest[p], took)
				switch resp.StatusCode {
				case http.StatusOK:
					rep.OK[p]++
					acked[i]++
					if p == 2 && !recovered[i].Swap(true) && rep.Recovery == 0 {
						rep.Recovery = time.Since(healedAt)
					}
				case http.StatusServiceUnavailable:
					rep.Unavailable[p]++
					unknown[i]++
				default:
					if len(failures) < 20 {
						failures = append(failures, fmt.Sprintf("phase %d: status %d: %s", p, resp.StatusCode, strings.TrimSpace(string(body))))
					}
				}
				mu.Unlock()
				if p == 1 && took > HungBound {
					fail("during the fault a response took %v, want at most %v", took, HungBound)
				}
			}
		})
	}

	time.Sleep(FaultPhase)
	phase.Store(1) // first: a fault that cuts connections answers at once
	fault()
	time.Sleep(FaultPhase)
	heal()
	mu.Lock()
	healedAt = time.Now()
	mu.Unlock()
	phase.Store(2)
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		all := true
		for i := range recovered {
			all = all && recovered[i].Load()
		}
		if all {
			break
		}
		if time.Now().After(deadline) {
			fail("not every client succeeded again within 15 s of the heal")
			break
		}
	}
	time.Sleep(FaultPhase)
	close(stop)
	wg.Wait()

	for _, f := range failures {
		t.Error(f)
	}
	if rep.Unavailable[0] > 0 {
		t.Errorf("%d requests answered 503 before the fault", rep.Unavailable[0])
	}
	if rep.OK[2] == 0 {
		t.Error("no request succeeded after the heal")
	}
	for i := range FaultWorkers {
		rep.Acked += acked[i]
		rep.Unknown += unknown[i]
		resp, err := clients[i].Get(srv.URL + "/n")
		if err != nil {
			t.Errorf("client %d: GET /n: %v", i, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("client %d: GET /n: %d %s", i, resp.StatusCode, body)
			continue
		}
		n, err := strconv.Atoi(string(body))
		if err != nil {
			t.Errorf("client %d: GET /n = %q", i, body)
			continue
		}
		if keepsData && (n < acked[i] || n > acked[i]+unknown[i]) {
			t.Errorf("client %d: counter %d after %d acknowledged increments and %d of unknown outcome", i, n, acked[i], unknown[i])
		}
	}
	t.Log(rep)
	return rep
}

// boundedStore gives every call of a store a HungDeadline deadline, as
// the session Manager's bound on store calls does.
type boundedStore struct{ s session.Store }

func (b boundedStore) Load(ctx context.Context, key string) (session.Record, error) {
	ctx, cancel := context.WithTimeout(ctx, HungDeadline)
	defer cancel()
	return b.s.Load(ctx, key)
}

func (b boundedStore) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	ctx, cancel := context.WithTimeout(ctx, HungDeadline)
	defer cancel()
	return b.s.Create(ctx, key, rec)
}

func (b boundedStore) Update(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	ctx, cancel := context.WithTimeout(ctx, HungDeadline)
	defer cancel()
	return b.s.Update(ctx, key, rec)
}

func (b boundedStore) Delete(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(ctx, HungDeadline)
	defer cancel()
	return b.s.Delete(ctx, key)
}
