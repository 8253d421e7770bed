package redisstore

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/tetherweb/tether/session"
)

// A server without the scripts in its cache (new, restarted, or after
// SCRIPT FLUSH) gets them through EVAL once; then EVALSHA alone suffices.
// Runs on a private server, whose script cache the test may flush.
func TestScriptFallback(t *testing.T) {
	t.Parallel()
	needBinaries(t, "redis-server")
	server := startRedis(t, t.TempDir(), freePort(t, false))
	client := redis.NewClient(&redis.Options{Addr: server.addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { client.Close() })
	hook := &countHook{}
	client.AddHook(hook)
	s := New(client)
	ctx := context.Background()
	// Open the connection first: its handshake (HELLO, CLIENT) goes
	// through the hook too.
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	hook.take()
	expiry := time.Now().Add(time.Hour)

	want := func(what string, names ...string) {
		t.Helper()
		if got := hook.take(); !slices.Equal(got, names) {
			t.Errorf("%s sent %v, want %v", what, got, names)
		}
	}
	key := session.NewKey()
	v, err := s.Create(ctx, key, session.Record{Data: []byte("a"), Expiry: expiry})
	if err != nil {
		t.Fatal(err)
	}
	want("first Create", "evalsha", "eval")
	if _, err := s.Create(ctx, session.NewKey(), session.Record{Data: []byte("b"), Expiry: expiry}); err != nil {
		t.Fatal(err)
	}
	want("second Create", "evalsha")

	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	hook.take()
	for i, w := range [][]string{{"evalsha", "eval"}, {"evalsha"}} {
		if v, err = s.Update(ctx, key, session.Record{Data: []byte("c"), Expiry: expiry, Version: v}); err != nil {
			t.Fatalf("Update %d after SCRIPT FLUSH: %v", i+1, err)
		}
		want("Update after SCRIPT FLUSH", w...)
	}
}
