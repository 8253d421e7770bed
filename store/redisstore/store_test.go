package redisstore

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/storetest"
)

// selfExpiring is how the conformance suite must treat the store: Redis
// deletes expired keys itself, and DeleteExpired has nothing to do.
var selfExpiring = storetest.Options{SelfExpiring: true}

func TestConformance(t *testing.T) {
	t.Parallel()
	client := sharedClient(t)
	storetest.RunWithOptions(t, func(t *testing.T) session.Store {
		return New(client, WithPrefix(newPrefix(t, client)))
	}, selfExpiring)
}

func TestConformanceRawKeys(t *testing.T) {
	t.Parallel()
	client := sharedClient(t)
	storetest.RunWithOptions(t, func(t *testing.T) session.Store {
		return New(client, WithPrefix(newPrefix(t, client)), WithHashKeys(false))
	}, selfExpiring)
}

func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	client := sharedClient(t)
	storetest.RunConcurrentRequests(t, func(t *testing.T) session.Store {
		return New(client, WithPrefix(newPrefix(t, client)))
	})
}

func TestKeyLayout(t *testing.T) {
	client := sharedClient(t)
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour + 123*time.Millisecond)
	for _, hashed := range []bool{true, false} {
		prefix := newPrefix(t, client)
		s := New(client, WithPrefix(prefix), WithHashKeys(hashed))
		key := session.NewKey()
		v, err := s.Create(ctx, key, session.Record{Data: []byte("payload"), Expiry: expiry})
		if err != nil {
			t.Fatal(err)
		}
		want := prefix + key
		if hashed {
			want = prefix + session.HashKey(key)
		}
		keys, err := keysUnder(ctx, client, prefix)
		if err != nil || len(keys) != 1 || keys[0] != want {
			t.Fatalf("hashed=%v: keys under the prefix = %q, %v; want [%q]", hashed, keys, err, want)
		}
		fields, err := client.HGetAll(ctx, want).Result()
		if err != nil {
			t.Fatal(err)
		}
		wantFields := map[string]string{
			"data":    "payload",
			"version": strconv.FormatUint(uint64(v), 10),
			"expiry":  strconv.FormatInt(expiry.UnixMilli(), 10),
		}
		if len(fields) != len(wantFields) {
			t.Errorf("hash fields %q, want %q", fields, wantFields)
		}
		for f, w := range wantFields {
			if fields[f] != w {
				t.Errorf("field %s = %q, want %q", f, fields[f], w)
			}
		}
		// Redis itself expires the key, at the record's millisecond.
		if at, err := client.PExpireTime(ctx, want).Result(); err != nil || at != time.Duration(expiry.UnixMilli())*time.Millisecond {
			t.Errorf("PEXPIRETIME = %v, %v; want %d ms", at, err, expiry.UnixMilli())
		}
	}
}

func TestDefaults(t *testing.T) {
	client := redis.NewClient(&redis.Options{})
	defer client.Close()
	s := New(client)
	if s.prefix != DefaultPrefix || !s.hashKeys || s.now == nil {
		t.Errorf("defaults: prefix %q, hashKeys %v", s.prefix, s.hashKeys)
	}
	key := session.NewKey()
	if got, want := s.redisKey(key), "tether:session:"+session.HashKey(key); got != want {
		t.Errorf("redisKey = %q, want %q", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("New(nil) did not panic")
		}
	}()
	New(nil)
}

// Versions come from the server's clock (µs) and never go back, also
// across a delete and a new Create of the same key.
func TestVersions(t *testing.T) {
	client := sharedClient(t)
	s := New(client, WithPrefix(newPrefix(t, client)))
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)

	before, err := client.Time(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	var seen []session.Version
	v, err := s.Create(ctx, key, session.Record{Data: []byte("0"), Expiry: expiry})
	if err != nil {
		t.Fatal(err)
	}
	seen = append(seen, v)
	if lo, hi := before.UnixMicro(), before.Add(time.Minute).UnixMicro(); int64(v) < lo || int64(v) > hi {
		t.Errorf("version %d is not the server's time in µs (around %d)", v, lo)
	}
	for i := range 20 {
		if i%5 == 4 {
			if err := s.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			if v, err = s.Create(ctx, key, session.Record{Data: []byte("again"), Expiry: expiry}); err != nil {
				t.Fatal(err)
			}
		} else if v, err = s.Update(ctx, key, session.Record{Data: []byte(strconv.Itoa(i)), Expiry: expiry, Version: v}); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, v)
	}
	if !slices.IsSorted(seen) || len(slices.Compact(slices.Clone(seen))) != len(seen) {
		t.Errorf("versions do not strictly increase: %v", seen)
	}

	// A version above the clock (as after the server's clock stepped back)
	// still goes up by one.
	ahead := strconv.FormatInt(time.Now().Add(time.Hour).UnixMicro(), 10)
	if err := client.HSet(ctx, s.redisKey(key), fieldVersion, ahead).Err(); err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.ParseUint(ahead, 10, 64)
	if v, err = s.Update(ctx, key, session.Record{Data: []byte("x"), Expiry: expiry, Version: session.Version(n)}); err != nil || v != session.Version(n+1) {
		t.Errorf("Update over version %d gave %d, %v; want %d", n, v, err, n+1)
	}
}

// The store's clock decides, together with Redis's, whether a record is
// dead.
func TestClock(t *testing.T) {
	client := sharedClient(t)
	prefix := newPrefix(t, client)
	ctx := context.Background()
	now := New(client, WithPrefix(prefix))
	later := New(client, WithPrefix(prefix), WithClock(func() time.Time { return time.Now().Add(time.Hour) }))

	// Alive now, dead an hour later.
	key := session.NewKey()
	v, err := now.Create(ctx, key, session.Record{Data: []byte("x"), Expiry: time.Now().Add(30 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := later.Load(ctx, key); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Load an hour later: %v, want ErrNotFound", err)
	}
	if entries, err := later.List(ctx, "", 0); err != nil || len(entries) != 0 {
		t.Errorf("List an hour later = %v, %v; want nothing", entries, err)
	}
	if n, err := later.Count(ctx); err != nil || n != 0 {
		t.Errorf("Count an hour later = %d, %v; want 0", n, err)
	}
	if _, err := now.Load(ctx, key); err != nil {
		t.Errorf("Load now: %v", err)
	}

	// A record that is dead by the store's clock is not written.
	if _, err := later.Update(ctx, key, session.Record{Data: []byte("y"), Expiry: time.Now().Add(50 * time.Minute), Version: v}); err != nil {
		t.Fatalf("Update with a dead expiry: %v", err)
	}
	if _, err := now.Load(ctx, key); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Load after an Update with an expiry dead by the store's clock: %v, want ErrNotFound", err)
	}
	fresh := session.NewKey()
	if v, err := later.Create(ctx, fresh, session.Record{Data: []byte("z"), Expiry: time.Now().Add(50 * time.Minute)}); err != nil || v == 0 {
		t.Fatalf("Create with a dead expiry: %d, %v", v, err)
	}
	if n, err := client.Exists(ctx, now.redisKey(fresh)).Result(); err != nil || n != 0 {
		t.Errorf("Create with an expiry dead by the store's clock stored a key (%d, %v)", n, err)
	}
}

// Whatever lies under a session's Redis key, the store never panics and
// never loads it: it is a missing record, and Create replaces it.
func TestGarbage(t *testing.T) {
	client := sharedClient(t)
	prefix := newPrefix(t, client)
	s := New(client, WithPrefix(prefix))
	ctx := context.Background()
	future := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)

	cases := []struct {
		name string
		put  func(k string) error
	}{
		{"string", func(k string) error { return client.Set(ctx, k, "garbage", 0).Err() }},
		{"list", func(k string) error { return client.RPush(ctx, k, "a", "b").Err() }},
		{"set", func(k string) error { return client.SAdd(ctx, k, "a").Err() }},
		{"foreign hash", func(k string) error { return client.HSet(ctx, k, "other", "x").Err() }},
		{"no data", func(k string) error { return client.HSet(ctx, k, "version", "5", "expiry", future).Err() }},
		{"no version", func(k string) error { return client.HSet(ctx, k, "data", "x", "expiry", future).Err() }},
		{"no expiry", func(k string) error { return client.HSet(ctx, k, "data", "x", "version", "5").Err() }},
	}
	for _, bad := range []string{"", "abc", "0", "-5", "05", "1.5", "1e3", " 5", "5 ", "99999999999999999999", "9007199254740993"} {
		cases = append(cases,
			struct {
				name string
				put  func(k string) error
			}{"version " + strconv.Quote(bad), func(k string) error {
				return client.HSet(ctx, k, "data", "x", "version", bad, "expiry", future).Err()
			}},
			struct {
				name string
				put  func(k string) error
			}{"expiry " + strconv.Quote(bad), func(k string) error {
				return client.HSet(ctx, k, "data", "x", "version", "5", "expiry", bad).Err()
			}},
		)
	}

	// A valid record beside the garbage, for List and Count.
	good := session.NewKey()
	if _, err := s.Create(ctx, good, session.Record{Data: []byte("good"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// Keys under the prefix that do not have the form of an ID.
	for _, k := range []string{prefix + "other", prefix + "x:" + session.HashKey(good), prefix + good} {
		if err := client.HSet(ctx, k, "data", "x", "version", "5", "expiry", future).Err(); err != nil {
			t.Fatal(err)
		}
	}

	var garbageKeys []string
	for _, c := range cases {
		key := session.NewKey()
		garbageKeys = append(garbageKeys, key)
		if err := c.put(s.redisKey(key)); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		_, err := s.Load(ctx, key)
		// HMGET cannot tell a hash without our fields from no key at all.
		if !errors.Is(err, session.ErrNotFound) || !errors.Is(err, ErrCorrupt) && c.name != "foreign hash" {
			t.Errorf("%s: Load: %v, want ErrNotFound and ErrCorrupt", c.name, err)
		}
		_, err = s.Update(ctx, key, session.Record{Data: []byte("y"), Expiry: time.Now().Add(time.Hour), Version: 5})
		if !errors.Is(err, session.ErrNotFound) || !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Update: %v, want ErrNotFound and ErrCorrupt", c.name, err)
		}
	}

	entries, err := s.List(ctx, "", 0)
	if err != nil || len(entries) != 1 || entries[0].ID != session.HashKey(good) {
		t.Errorf("List beside garbage = %v, %v; want only the good record", entries, err)
	}
	if n, err := s.Count(ctx); err != nil || n != 1 {
		t.Errorf("Count beside garbage = %d, %v; want 1", n, err)
	}

	// Create replaces garbage with a record.
	for i, key := range garbageKeys {
		v, err := s.Create(ctx, key, session.Record{Data: []byte("fresh"), Expiry: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatalf("%s: Create over garbage: %v", cases[i].name, err)
		}
		rec, err := s.Load(ctx, key)
		if err != nil || string(rec.Data) != "fresh" || rec.Version != v {
			t.Errorf("%s: Load after Create over garbage = %q v%d, %v", cases[i].name, rec.Data, rec.Version, err)
		}
	}
}

func TestInvalidKeys(t *testing.T) {
	client := sharedClient(t)
	hook := &countHook{}
	client.AddHook(hook)
	s := New(client, WithPrefix(newPrefix(t, client)), WithHashKeys(false))
	ctx := context.Background()
	rec := session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour), Version: 1}
	for _, key := range []string{"", "short", "{tag}" + session.NewKey()[:27], "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", session.NewKey() + "*"} {
		if _, err := s.Load(ctx, key); !errors.Is(err, session.ErrNotFound) || !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Load(%q): %v", key, err)
		}
		if _, err := s.Create(ctx, key, rec); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Create(%q): %v", key, err)
		}
		if _, err := s.Update(ctx, key, rec); !errors.Is(err, session.ErrNotFound) || !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Update(%q): %v", key, err)
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Errorf("Delete(%q): %v", key, err)
		}
	}
	if sent := hook.take(); len(sent) != 0 {
		t.Errorf("invalid keys reached Redis: %v", sent)
	}
}

// Load, Create, Update and Delete are one command each: one round trip.
func TestRoundTrips(t *testing.T) {
	client := sharedClient(t)
	hook := &countHook{}
	client.AddHook(hook)
	s := New(client, WithPrefix(newPrefix(t, client)))
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)

	// Make sure the server has both scripts cached (the first call on a
	// server may need EVAL after EVALSHA).
	warm := session.NewKey()
	v, err := s.Create(ctx, warm, session.Record{Data: []byte("warm"), Expiry: expiry})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, warm, session.Record{Data: []byte("warm"), Expiry: expiry, Version: v}); err != nil {
		t.Fatal(err)
	}
	hook.take()

	key := session.NewKey()
	check := func(what string, want string, call func() error) {
		t.Helper()
		if err := call(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if sent := hook.take(); len(sent) != 1 || sent[0] != want {
			t.Errorf("%s sent %v, want [%s]", what, sent, want)
		}
	}
	check("Create", "evalsha", func() error {
		v, err = s.Create(ctx, key, session.Record{Data: []byte("one"), Expiry: expiry})
		return err
	})
	check("Load", "hmget", func() error { _, err := s.Load(ctx, key); return err })
	check("Update", "evalsha", func() error {
		v, err = s.Update(ctx, key, session.Record{Data: []byte("two"), Expiry: expiry, Version: v})
		return err
	})
	check("stale Update", "evalsha", func() error {
		_, err := s.Update(ctx, key, session.Record{Data: []byte("three"), Expiry: expiry, Version: v - 1})
		if errors.Is(err, session.ErrConflict) {
			return nil
		}
		return err
	})
	check("Create over a live record", "evalsha", func() error {
		_, err := s.Create(ctx, key, session.Record{Data: []byte("again"), Expiry: expiry})
		if errors.Is(err, session.ErrExists) {
			return nil
		}
		return err
	})
	check("Delete", "del", func() error { return s.Delete(ctx, key) })
	check("Load of a missing record", "hmget", func() error {
		_, err := s.Load(ctx, key)
		if errors.Is(err, session.ErrNotFound) {
			return nil
		}
		return err
	})
	// Redis expires records itself: the store offers no sweep, so
	// clearsessions never sends it anything.
	if _, ok := any(s).(session.Sweeper); ok {
		t.Error("redisstore.Store implements session.Sweeper; Redis needs no sweeping")
	}
	if sent := hook.take(); len(sent) != 0 {
		t.Errorf("the checks above sent %v, want nothing more", sent)
	}
}

// A client that cannot reach Redis gives errors matching
// session.ErrUnavailable, quickly.
func TestUnreachable(t *testing.T) {
	port := freePort(t, false) // nothing listens there
	client := redis.NewClient(&redis.Options{
		Addr:          "127.0.0.1:" + strconv.Itoa(port),
		DialTimeout:   200 * time.Millisecond,
		MaxRetries:    -1,
		DialerRetries: 1,
	})
	defer client.Close()
	s := New(client)
	ctx := context.Background()
	key := session.NewKey()
	rec := session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour), Version: 1}
	calls := map[string]func() error{
		"Load":   func() error { _, err := s.Load(ctx, key); return err },
		"Create": func() error { _, err := s.Create(ctx, key, rec); return err },
		"Update": func() error { _, err := s.Update(ctx, key, rec); return err },
		"Delete": func() error { return s.Delete(ctx, key) },
		"List":   func() error { _, err := s.List(ctx, "", 10); return err },
		"Count":  func() error { _, err := s.Count(ctx); return err },
	}
	for name, call := range calls {
		start := time.Now()
		err := call()
		if !errors.Is(err, session.ErrUnavailable) {
			t.Errorf("%s on an unreachable server: %v, want ErrUnavailable", name, err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s took %v", name, d)
		}
	}

	client.Close()
	if _, err := s.Load(ctx, key); !errors.Is(err, session.ErrUnavailable) {
		t.Errorf("Load on a closed client: %v, want ErrUnavailable", err)
	}
}

// A prefix with SCAN's wildcard characters still lists exactly its own
// records.
func TestGlobPrefix(t *testing.T) {
	client := sharedClient(t)
	base := newPrefix(t, client)
	s := New(client, WithPrefix(base+`[x]*?\:`))
	decoy := New(client, WithPrefix(base+"xab:")) // what the unescaped pattern would match
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)
	var want []string
	for range 2 {
		k := session.NewKey()
		if _, err := s.Create(ctx, k, session.Record{Data: []byte("x"), Expiry: expiry}); err != nil {
			t.Fatal(err)
		}
		if _, err := decoy.Create(ctx, session.NewKey(), session.Record{Data: []byte("x"), Expiry: expiry}); err != nil {
			t.Fatal(err)
		}
		want = append(want, session.HashKey(k))
	}
	slices.Sort(want)
	entries, err := s.List(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("List = %v, want %v", got, want)
	}
	if n, err := s.Count(ctx); err != nil || n != 2 {
		t.Errorf("Count = %d, %v; want 2", n, err)
	}
}
