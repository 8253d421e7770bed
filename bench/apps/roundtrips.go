package apps

import (
	"context"
	"net"
	"sync/atomic"
)

// RoundTrips counts the round trips an App makes to its server (Redis,
// PostgreSQL), whatever the client library: every connection the client
// dials goes through a countingConn, and a round trip is a write that
// follows a read on that connection (or is its first write). A pipelined
// batch (several commands in one write, or in writes with no read
// between them) is one round trip, as it costs one network wait.
type RoundTrips struct{ n atomic.Int64 }

// Load returns the round trips counted so far.
func (c *RoundTrips) Load() int64 {
	if c == nil {
		return 0
	}
	return c.n.Load()
}

// dial dials addr on network and wraps the connection in a countingConn.
func (c *RoundTrips) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, trips: c}, nil
}

// countingConn counts the round trips made on one connection. Clients use
// a connection from one goroutine at a time; the flag is atomic anyway, so
// that a client reading and writing from two goroutines (a pipelining
// reader) is counted without a race.
type countingConn struct {
	net.Conn
	trips   *RoundTrips
	waiting atomic.Bool // the last operation was a write: a read answers it
}

func (c *countingConn) Write(p []byte) (int, error) {
	if !c.waiting.Swap(true) {
		c.trips.n.Add(1)
	}
	return c.Conn.Write(p)
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.waiting.Store(false)
	}
	return n, err
}
