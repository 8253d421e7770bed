package cookie

import (
	"fmt"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestConcurrentUse shares one fresh Signed and one fresh Encrypted between
// 50 goroutines, so their lazy set-up races too; run it with -race.
func TestConcurrentUse(t *testing.T) {
	clock := newFakeClock(djangoNow)
	s := &Signed{Key: []byte("k"), FallbackKeys: [][]byte{[]byte("old")}, Now: clock.Now, Logger: slog.New(slog.DiscardHandler)}
	e := &Encrypted{Key: []byte("k"), FallbackKeys: [][]byte{[]byte("old")}, Now: clock.Now, Logger: slog.New(slog.DiscardHandler)}

	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			name := fmt.Sprintf("c%d", i%7) // several goroutines share a name
			for j := range 20 {
				value := fmt.Sprintf("v-%d-%d", i, j)
				clock.Advance(time.Millisecond)

				rec := httptest.NewRecorder()
				if err := s.Set(rec, name, value); err != nil {
					t.Errorf("Signed.Set: %v", err)
					return
				}
				if got, err := s.Get(forward(rec), name, time.Hour); err != nil || got != value {
					t.Errorf("Signed.Get = %q, %v; want %q", got, err, value)
				}
				if got := s.GetDefault(requestWith(name+"=x"+value), name, 0, "def"); got != "def" {
					t.Errorf("Signed.GetDefault(tampered) = %q", got)
				}

				rec = httptest.NewRecorder()
				if err := e.Set(rec, name, value); err != nil {
					t.Errorf("Encrypted.Set: %v", err)
					return
				}
				if got, err := e.Get(forward(rec), name, time.Hour); err != nil || got != value {
					t.Errorf("Encrypted.Get = %q, %v; want %q", got, err, value)
				}
				if got := e.GetDefault(requestWith(name+"=AAAA"), name, 0, "def"); got != "def" {
					t.Errorf("Encrypted.GetDefault(garbage) = %q", got)
				}
				s.Delete(httptest.NewRecorder(), name)
				e.Delete(httptest.NewRecorder(), name)
			}
		})
	}
	wg.Wait()
}
