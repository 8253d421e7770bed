package apps

import (
	"context"
	"io"
	"net"
	"testing"
)

// TestRoundTrips checks the counting rule on a loopback connection: a
// write opens a round trip unless the previous operation was a write (a
// pipelined batch), and a read that got bytes ends it.
func TestRoundTrips(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // echo server
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c)
	}()

	trips := new(RoundTrips)
	conn, err := trips.dial(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	buf := make([]byte, 16)
	exchange := func(writes ...string) {
		t.Helper()
		n := 0
		for _, w := range writes {
			if _, err := conn.Write([]byte(w)); err != nil {
				t.Fatal(err)
			}
			n += len(w)
		}
		if _, err := io.ReadFull(conn, buf[:n]); err != nil {
			t.Fatal(err)
		}
	}
	if got := trips.Load(); got != 0 {
		t.Fatalf("after dialing: %d round trips, want 0", got)
	}
	exchange("ping")
	if got := trips.Load(); got != 1 {
		t.Errorf("one request and its answer: %d round trips, want 1", got)
	}
	exchange("MULTI", "SET", "EXEC") // three writes before one read: pipelined
	if got := trips.Load(); got != 2 {
		t.Errorf("a pipelined batch: %d round trips, want 2", got)
	}
	exchange("a")
	exchange("b")
	if got := trips.Load(); got != 4 {
		t.Errorf("two more exchanges: %d round trips, want 4", got)
	}
	if got := (*RoundTrips)(nil).Load(); got != 0 {
		t.Errorf("nil counter: %d, want 0", got)
	}
}
