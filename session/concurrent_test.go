package session_test

import (
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/storetest"
)

func TestConcurrentRequestsLoseNothing(t *testing.T) {
	storetest.RunConcurrentRequests(t, func(t *testing.T) session.Store { return newFakeStore(time.Now) })
}
