package messages

import (
	"net/http"
	"sync"
	"testing"

	"github.com/tetherweb/tether/session"
)

// A request that adds a message without reading the pending ones, while a
// concurrent request of the same user (another tab) reads and so consumes
// them, must not bring them back: they were shown. The adding request
// loaded the session before the other one committed (as any handler that
// looks up the logged-in user does), so its view of the messages is stale.
func TestSessionAddDoesNotResurrectConcurrentlyReadMessages(t *testing.T) {
	s := newSite(t, &Manager{})
	loaded, release := make(chan struct{}), make(chan struct{})
	s.mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("user", "ann") // keeps the session alive once the messages are gone
	})
	s.mux.HandleFunc("POST /slow-add", func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Has("user")
		Info(r, "added by the slow tab")
		close(loaded)
		<-release
		w.WriteHeader(http.StatusNoContent)
	})
	s.do("POST", "/login", nil)
	s.add(LevelInfo, "shown once")

	var wg sync.WaitGroup
	wg.Go(func() { s.do("POST", "/slow-add", nil) })
	<-loaded
	if got, want := s.show(), line(LevelInfo, "info", "shown once"); got != want {
		t.Fatalf("first tab: %q, want %q", got, want)
	}
	close(release)
	wg.Wait()
	if got, want := s.show(), line(LevelInfo, "info", "added by the slow tab"); got != want {
		t.Fatalf("next page: %q, want only %q", got, want)
	}
}

// Messages that overflowed into the session belong to the cookie that ends
// with the not-finished marker. When that cookie is gone (the browser was
// closed, the session cookie outlives it; or a concurrent tab overwrote it),
// they are unreachable, as in Django, and must stay so: a later overflow
// replaces them instead of showing them, days later and out of order,
// among the new messages.
func TestFallbackOrphanedOverflowNotShownLater(t *testing.T) {
	s := newSite(t, &Manager{Storage: NewFallbackStorage(testKey)})
	s.add(LevelInfo, randomTexts(20, 300)...)
	if _, ok := s.sessionValue(DefaultSessionKey); !ok {
		t.Fatal("no overflow in the session")
	}
	s.setCookie("messages", "") // the browser lost the messages cookie

	fresh := randomTexts(20, 300)
	for i := range fresh {
		fresh[i] = "new " + fresh[i]
	}
	s.add(LevelWarning, fresh...)
	var want string
	for _, text := range fresh {
		want += line(LevelWarning, "warning", text)
	}
	if got := s.show(); got != want {
		t.Fatalf("shown:\n%s\nwant only the 20 new messages", got)
	}
}

// A request that shows the last pending messages deletes the session key,
// but a message another tab added after this request loaded the session
// and before it committed must survive that delete.
func TestSessionDeleteKeepsConcurrentlyAddedMessage(t *testing.T) {
	s := newSite(t, &Manager{})
	loaded, release := make(chan struct{}), make(chan struct{})
	s.mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("user", "ann")
	})
	s.mux.HandleFunc("GET /slow-show", func(w http.ResponseWriter, r *http.Request) {
		Get(r) // shows the pending message: nothing left to store
		close(loaded)
		<-release
		w.WriteHeader(http.StatusNoContent)
	})
	s.do("POST", "/login", nil)
	s.add(LevelInfo, "pending")

	var wg sync.WaitGroup
	wg.Go(func() { s.do("GET", "/slow-show", nil) })
	<-loaded
	s.add(LevelInfo, "added meanwhile")
	close(release)
	wg.Wait()
	if got, want := s.show(), line(LevelInfo, "info", "added meanwhile"); got != want {
		t.Fatalf("next page: %q, want %q", got, want)
	}
}
