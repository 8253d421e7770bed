package memcachestore

import (
	"testing"

	"github.com/tetherweb/tether/session"
)

// TestNotDurable: memcached evicts items under memory pressure, so the
// store must not claim to keep every live record: session.NewUserIndex
// does not accept it (a lost index would hide sessions from RevokeUser).
func TestNotDurable(t *testing.T) {
	var s any = (*Store)(nil)
	if _, ok := s.(session.Durable); ok {
		t.Error("memcachestore.Store implements session.Durable")
	}
	var d any = (*DjangoCache)(nil)
	if _, ok := d.(session.Durable); ok {
		t.Error("memcachestore.DjangoCache implements session.Durable")
	}
}
