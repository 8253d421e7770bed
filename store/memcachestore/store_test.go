package memcachestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/servicetest"
)

func TestItemKey(t *testing.T) {
	key := session.NewKey()
	s := New(memcache.New())
	if got, want := s.ItemKey(key), DefaultPrefix+session.HashKey(key); got != want {
		t.Errorf("ItemKey = %q, want %q", got, want)
	}
	long := strings.Repeat("p", MaxPrefixLength)
	item := New(memcache.New(), WithPrefix(long)).ItemKey(key)
	if len(item) != 250 {
		t.Errorf("item name with the longest prefix has %d bytes, want 250", len(item))
	}
	if got := New(memcache.New(), WithPrefix("")).ItemKey(key); got != session.HashKey(key) {
		t.Errorf("ItemKey with an empty prefix = %q", got)
	}
}

func TestBadPrefixPanics(t *testing.T) {
	for _, p := range []string{"with space", "tab\t", "nl\n", "del\x7f", strings.Repeat("x", MaxPrefixLength+1)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New with prefix %q did not panic", p)
				}
			}()
			New(memcache.New(), WithPrefix(p))
		}()
	}
}

func TestExpiration(t *testing.T) {
	now := time.Date(2030, 5, 6, 7, 8, 9, 500_000_000, time.UTC)
	cases := []struct {
		name   string
		expiry time.Time
		want   int32
	}{
		{"past", now.Add(-time.Hour), -1},
		{"now", now, -1},
		{"1ns", now.Add(time.Nanosecond), 1 + serverSlack},
		{"1ms", now.Add(time.Millisecond), 1 + serverSlack},
		{"exactly 1s", now.Add(time.Second), 1 + serverSlack},
		{"1.5s", now.Add(1500 * time.Millisecond), 2 + serverSlack},
		{"2 weeks", now.Add(14 * 24 * time.Hour), 14*24*3600 + serverSlack},
		{"last relative", now.Add((maxRelative - serverSlack) * time.Second), maxRelative},
		{"first absolute", now.Add((maxRelative - serverSlack) * time.Second).Add(time.Millisecond),
			int32(now.Add((maxRelative-serverSlack)*time.Second).Unix() + 1 + serverSlack)},
		{"60 days", now.Add(60 * 24 * time.Hour), int32(now.Add(60*24*time.Hour).Unix() + 1 + serverSlack)},
		{"past 2038", time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{"far future", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), 0},
	}
	for _, c := range cases {
		if got := expiration(c.expiry, now); got != c.want {
			t.Errorf("%s: expiration = %d, want %d", c.name, got, c.want)
		}
	}
	// Whatever the case, the server keeps a live record at least until
	// its expiry, even with its clock up to two seconds off (a tick behind,
	// and the tick itself).
	for _, d := range []time.Duration{time.Nanosecond, 999 * time.Millisecond, time.Hour, 29 * 24 * time.Hour, 31 * 24 * time.Hour} {
		exp := expiration(now.Add(d), now)
		var dies time.Time
		if exp > maxRelative {
			dies = time.Unix(int64(exp-serverSlack), 0)
		} else {
			dies = now.Add(time.Duration(exp-serverSlack) * time.Second)
		}
		if dies.Before(now.Add(d)) {
			t.Errorf("lifetime %v: memcached would drop the item at %v, before %v", d, dies, now.Add(d))
		}
	}
}

func TestValueFormat(t *testing.T) {
	expiry := time.UnixMilli(1_900_000_000_123)
	data := []byte("payload\x00\xff")
	v := encodeValue(42, expiry, data)
	if len(v) != headerSize+len(data) || string(v[:3]) != "TM\x01" {
		t.Fatalf("encoded %q", v)
	}
	h, got, err := decodeValue(v)
	if err != nil || h.version != 42 || h.expiryMs != expiry.UnixMilli() || !bytes.Equal(got, data) {
		t.Fatalf("decode = %+v, %q, %v", h, got, err)
	}
	if cap(got) != len(got) {
		t.Errorf("decoded data has spare capacity %d", cap(got)-len(got))
	}
	// Expiries before 1970 survive the unsigned field.
	h, _, _ = decodeValue(encodeValue(1, time.UnixMilli(-5), nil))
	if h.expiryMs != -5 {
		t.Errorf("expiry -5ms decoded as %d", h.expiryMs)
	}
}

// garbage are item values that are not records.
var garbage = []struct {
	name  string
	value []byte
}{
	{"empty", []byte{}},
	{"one byte", []byte{'T'}},
	{"short header", []byte("TM\x01\x00\x00\x00\x00\x00\x00\x00\x01")},
	{"bad magic", append([]byte("XX\x01"), make([]byte, 16)...)},
	{"future format", append([]byte("TM\x02\x00\x00\x00\x00\x00\x00\x00\x01"), bytes.Repeat([]byte{0x7f}, 8)...)},
	{"version zero", append([]byte("TM\x01"), bytes.Repeat([]byte{0}, 8)...)},
	{"text", []byte(`{"cart":{"5":1}}`)},
	{"other app", []byte("tether-session v1 1 2\n{}")},
}

// TestGarbage: an item that is not a record reads as missing, with the
// reason, is replaced by Create, and never makes the store panic.
func TestGarbage(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)
	for _, g := range garbage {
		key := session.NewKey()
		s.note(key)
		if err := s.client.Set(&memcache.Item{Key: s.ItemKey(key), Value: g.value, Expiration: 600}); err != nil {
			t.Fatalf("%s: Set: %v", g.name, err)
		}
		_, err := s.Load(ctx, key)
		wantErr(t, g.name+": Load", err, session.ErrNotFound)
		wantErr(t, g.name+": Load", err, ErrMalformed)
		_, err = s.Update(ctx, key, session.Record{Data: []byte("x"), Expiry: expiry, Version: 1})
		wantErr(t, g.name+": Update", err, session.ErrNotFound)
		v, err := s.Create(ctx, key, session.Record{Data: []byte("fresh"), Expiry: expiry})
		if err != nil {
			t.Fatalf("%s: Create over garbage: %v", g.name, err)
		}
		if rec := mustLoad(t, s, key); string(rec.Data) != "fresh" || rec.Version != v {
			t.Errorf("%s: after Create over garbage loaded %q version %d, want %q version %d", g.name, rec.Data, rec.Version, "fresh", v)
		}
	}
}

// TestNeverLivesLate: the server keeps an item a little after its expiry
// (whole seconds, rounded up); the header check must hide it at once, and
// Create must replace it although "add" fails.
func TestNeverLivesLate(t *testing.T) {
	clock := &offsetClock{}
	s := newTestStore(t, withClock(clock.Now))
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	v := mustCreate(t, s, key, "old", expiry)

	clock.Set(time.Hour + time.Millisecond) // past the expiry, by our clock only
	_, err := s.Load(ctx, key)
	wantErr(t, "Load after the expiry", err, session.ErrNotFound)
	_, err = s.Update(ctx, key, session.Record{Data: []byte("late"), Expiry: expiry.Add(time.Hour), Version: v})
	wantErr(t, "Update after the expiry", err, session.ErrNotFound)
	if _, err := s.client.Get(s.ItemKey(key)); err != nil {
		t.Fatalf("the server should still hold the item: %v", err)
	}
	newExpiry := time.Now().Add(3 * time.Hour)
	v2, err := s.Create(ctx, key, session.Record{Data: []byte("new"), Expiry: newExpiry})
	if err != nil {
		t.Fatalf("Create over a record expired by the header: %v", err)
	}
	if v2 <= v {
		t.Errorf("Create over the expired record gave version %d, not above its %d", v2, v)
	}
	rec := mustLoad(t, s, key)
	if string(rec.Data) != "new" || rec.Version != v2 {
		t.Errorf("loaded %q version %d, want %q version %d", rec.Data, rec.Version, "new", v2)
	}

	// One millisecond before the expiry it is still there.
	clock.Set(0)
	edge := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	k2 := session.NewKey()
	mustCreate(t, s, k2, "edge", edge)
	clock.Stop(edge.Add(-time.Millisecond))
	if _, err := s.Load(ctx, k2); err != nil {
		t.Errorf("Load 1ms before the expiry: %v", err)
	}
	clock.Stop(edge)
	_, err = s.Load(ctx, k2)
	wantErr(t, "Load at the expiry", err, session.ErrNotFound)
}

// TestRoundTrips counts the commands each operation sends.
func TestRoundTrips(t *testing.T) {
	addr := servicetest.MemcachedAddr(t)
	var cc commandCounter
	client := newClient(t, addr)
	client.DialContext = cc.dialer()
	s := newTracked(t, addr, New(client, WithPrefix(randomPrefix())))
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	data := []byte(`{"cart":{"5":2}}`)

	step := func(what string, want map[string]int, fn func() error) {
		t.Helper()
		cc.take()
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := cc.take(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s sent %v, want %v", what, got, want)
		}
	}
	var v session.Version
	step("Create", map[string]int{"add": 1}, func() (err error) {
		v, err = s.Create(ctx, key, session.Record{Data: data, Expiry: expiry})
		return err
	})
	step("Update without a Load", map[string]int{"cas": 1, "gets": 1}, func() (err error) {
		v, err = s.Update(ctx, key, session.Record{Data: data, Expiry: expiry, Version: v})
		return err
	})
	var rec session.Record
	step("Load", map[string]int{"gets": 1}, func() (err error) {
		rec, err = s.Load(ctx, key)
		return err
	})
	step("Update after a Load", map[string]int{"cas": 1}, func() (err error) {
		_, err = s.Update(ctx, key, session.Record{Data: data, Expiry: expiry, Version: rec.Version})
		return err
	})
	step("Delete", map[string]int{"delete": 1}, func() error { return s.Delete(ctx, key) })
}

// TestStaleHints: a CAS hint is only a shortcut; another handle's writes
// between a Load and an Update are caught as they would be without it.
func TestStaleHints(t *testing.T) {
	a := newTestStore(t)
	b := New(a.client, WithPrefix(a.prefix)) // a second process, with its own hints
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)

	t.Run("UpdatedElsewhere", func(t *testing.T) {
		key := session.NewKey()
		mustCreate(t, a, key, "one", expiry)
		rec := mustLoad(t, a, key)
		if _, err := b.Update(ctx, key, session.Record{Data: []byte("two"), Expiry: expiry, Version: rec.Version}); err != nil {
			t.Fatal(err)
		}
		_, err := a.Update(ctx, key, session.Record{Data: []byte("lost"), Expiry: expiry, Version: rec.Version})
		wantErr(t, "Update from a version changed elsewhere", err, session.ErrConflict)
		if got := mustLoad(t, a, key); string(got.Data) != "two" {
			t.Errorf("data %q, want %q", got.Data, "two")
		}
	})
	t.Run("DeletedElsewhere", func(t *testing.T) {
		key := session.NewKey()
		mustCreate(t, a, key, "one", expiry)
		rec := mustLoad(t, a, key)
		if err := b.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		_, err := a.Update(ctx, key, session.Record{Data: []byte("resurrected"), Expiry: expiry, Version: rec.Version})
		wantErr(t, "Update of a record deleted elsewhere", err, session.ErrNotFound)
		_, err = a.Load(ctx, key)
		wantErr(t, "Load after", err, session.ErrNotFound)
	})
	t.Run("RecreatedElsewhere", func(t *testing.T) {
		key := session.NewKey()
		mustCreate(t, a, key, "one", expiry)
		rec := mustLoad(t, a, key)
		if err := b.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Create(ctx, key, session.Record{Data: []byte("other"), Expiry: expiry}); err != nil {
			t.Fatal(err)
		}
		_, err := a.Update(ctx, key, session.Record{Data: []byte("lost"), Expiry: expiry, Version: rec.Version})
		wantErr(t, "Update of a record created again elsewhere", err, session.ErrConflict)
	})
	t.Run("HintUsedOnce", func(t *testing.T) {
		key := session.NewKey()
		mustCreate(t, a, key, "one", expiry)
		rec := mustLoad(t, a, key)
		if _, err := a.Update(ctx, key, session.Record{Data: []byte("two"), Expiry: expiry, Version: rec.Version}); err != nil {
			t.Fatal(err)
		}
		_, err := a.Update(ctx, key, session.Record{Data: []byte("again"), Expiry: expiry, Version: rec.Version})
		wantErr(t, "second Update from the same Load", err, session.ErrConflict)
	})
}

// TestHintTable covers the slot logic without a server.
func TestHintTable(t *testing.T) {
	var nilTable *hintTable
	nilTable.put(1, &casHint{})
	nilTable.forget(1, "x")
	if nilTable.take(1, "x", 1, 0) != nil {
		t.Fatal("nil table returned a hint")
	}
	if newHintTable(0) != nil {
		t.Fatal("newHintTable(0) made a table")
	}
	tab := newHintTable(4)
	now := int64(1_000_000)
	h := &casHint{item: "a", version: 7, cas: 99, expiryMs: now + 1000, seenMs: now}
	tab.put(1, h)
	if tab.take(1, "b", 7, now) != nil || tab.take(1, "a", 8, now) != nil {
		t.Fatal("hint returned for another item or version")
	}
	if got := tab.take(1, "a", 7, now); got != h {
		t.Fatalf("take = %v, want the hint", got)
	}
	if tab.take(1, "a", 7, now) != nil {
		t.Fatal("hint taken twice")
	}
	tab.put(1, h)
	if tab.take(1, "a", 7, now+1000) != nil {
		t.Fatal("hint of an expired record used")
	}
	tab.put(1, h)
	if tab.take(1, "a", 7, now+hintMaxAge+1) != nil {
		t.Fatal("old hint used")
	}
	tab.put(5, h) // same slot as 1
	tab.forget(1, "a")
	if tab.slot(1).Load() != nil {
		t.Fatal("forget left the hint")
	}
}

// TestUnavailable: without a reachable server every operation fails with
// an error matching session.ErrUnavailable (no service needed).
func TestUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connections are refused

	ctx := context.Background()
	key := session.NewKey()
	rec := session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour), Version: 1}
	for name, client := range map[string]*memcache.Client{
		"refused":    memcache.New(addr),
		"no servers": memcache.New(),
	} {
		s := New(client)
		_, err := s.Load(ctx, key)
		wantErr(t, name+": Load", err, session.ErrUnavailable)
		_, err = s.Create(ctx, key, rec)
		wantErr(t, name+": Create", err, session.ErrUnavailable)
		_, err = s.Update(ctx, key, rec)
		wantErr(t, name+": Update", err, session.ErrUnavailable)
		wantErr(t, name+": Delete", s.Delete(ctx, key), session.ErrUnavailable)
		if got := session.StatusFor(err); got != 503 {
			t.Errorf("%s: status for %v = %d, want 503", name, err, got)
		}
	}

	for _, err := range []error{
		io.EOF, io.ErrUnexpectedEOF, net.ErrClosed, syscall.ECONNRESET, syscall.EPIPE,
		&memcache.ConnectTimeoutError{Addr: &net.TCPAddr{}},
		&net.OpError{Op: "read", Err: errors.New("i/o timeout")},
		fmt.Errorf("wrapped: %w", memcache.ErrNoServers),
	} {
		if !errors.Is(wrap("load", err), session.ErrUnavailable) {
			t.Errorf("%v (%T) not reported unavailable", err, err)
		}
	}
	for _, err := range []error{memcache.ErrMalformedKey, errors.New("memcache: unexpected line")} {
		if errors.Is(wrap("load", err), session.ErrUnavailable) {
			t.Errorf("%v reported unavailable", err)
		}
	}
}

// TestTooLarge: a value over the server's item size is reported as such.
func TestTooLarge(t *testing.T) {
	s := newTestStore(t)
	_, err := s.Create(context.Background(), session.NewKey(), session.Record{
		Data:   make([]byte, 5<<20), // the test server takes 4 MiB
		Expiry: time.Now().Add(time.Hour),
	})
	wantErr(t, "Create of 5 MiB", err, ErrTooLarge)
	if errors.Is(err, session.ErrUnavailable) {
		t.Errorf("too large reported as unavailable: %v", err)
	}
}

// TestCancelledSendsNothing: a done context stops an operation before it
// reaches the server.
func TestCancelledSendsNothing(t *testing.T) {
	addr := servicetest.MemcachedAddr(t)
	var cc commandCounter
	client := newClient(t, addr)
	client.DialContext = cc.dialer()
	s := New(client, WithPrefix(randomPrefix()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	key := session.NewKey()
	rec := session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour), Version: 1}
	_, err := s.Load(ctx, key)
	wantErr(t, "Load", err, context.Canceled)
	_, err = s.Create(ctx, key, rec)
	wantErr(t, "Create", err, context.Canceled)
	_, err = s.Update(ctx, key, rec)
	wantErr(t, "Update", err, context.Canceled)
	wantErr(t, "Delete", s.Delete(ctx, key), context.Canceled)
	if got := cc.take(); len(got) != 0 {
		t.Errorf("cancelled operations sent %v", got)
	}
	// memcached expires items itself: the store offers no sweep.
	if _, ok := any(s).(session.Sweeper); ok {
		t.Error("memcachestore.Store implements session.Sweeper; memcached needs no sweeping")
	}
}

func TestVersionsGrow(t *testing.T) {
	a := nextVersion(0)
	b := nextVersion(0)
	if a == 0 || b <= a {
		t.Fatalf("versions %d then %d", a, b)
	}
	ahead := session.Version(uint64(time.Now().Add(time.Hour).UnixNano()))
	if c := nextVersion(ahead); c <= ahead {
		t.Errorf("nextVersion(%d) = %d", ahead, c)
	}
	if c := nextVersion(math.MaxUint64); c == 0 || c == math.MaxUint64 {
		t.Errorf("nextVersion(max) = %d: an implausible version must not wrap the counter", c)
	}
}
