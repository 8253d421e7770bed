package storetest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// The optional session.Lister and session.Counter.

// listed is what the lister test stored under one ID (a key, or its
// hash): expiry is zero for an expired record.
type listed struct {
	key    string
	expiry time.Time
	size   int
}

func testLister(t *testing.T, s session.Store, _ Options) {
	l, ok := s.(session.Lister)
	if !ok {
		t.Skip("store does not implement session.Lister")
	}
	const live, pageSize = 7, 3
	byID := storeForListing(t, s, live, 3)
	all := listAllPages(t, l, pageSize, live+1)
	checkListed(t, all, byID, live)
	if len(all) == 0 {
		return
	}
	checkListFrom(t, l, all, pageSize)
}

// storeForListing creates live records of different sizes and expiries,
// and expired ones, and returns them by both forms of their ID.
func storeForListing(t *testing.T, s session.Store, live, expired int) map[string]listed {
	byID := make(map[string]listed) // both forms of each key
	for i := range live {
		k := session.NewKey()
		data := bytes.Repeat([]byte{'x'}, 10+i)
		exp := time.Now().Add(time.Duration(i+1) * time.Hour)
		mustCreate(t, s, k, data, exp)
		w := listed{key: k, expiry: exp, size: len(data)}
		byID[k], byID[session.HashKey(k)] = w, w
	}
	for range expired {
		k := session.NewKey()
		mustCreate(t, s, k, []byte("expired"), time.Now().Add(-time.Second))
		byID[k], byID[session.HashKey(k)] = listed{key: k}, listed{key: k}
	}
	return byID
}

// listAllPages lists every entry, pageSize at a time, failing after
// maxPages pages.
func listAllPages(t *testing.T, l session.Lister, pageSize, maxPages int) []session.Entry {
	ctx := context.Background()
	var all []session.Entry
	after := ""
	for page := 0; ; page++ {
		if page > maxPages {
			t.Fatalf("List keeps returning pages after %d entries", len(all))
		}
		entries, err := l.List(ctx, after, pageSize)
		if err != nil {
			t.Fatalf("List(%q, %d): %v", after, pageSize, err)
		}
		if len(entries) > pageSize {
			t.Fatalf("List(%q, %d) returned %d entries", after, pageSize, len(entries))
		}
		all = append(all, entries...)
		if len(entries) < pageSize {
			return all
		}
		after = entries[len(entries)-1].ID
	}
}

// checkListed checks the listing against what was stored: in ID order,
// one form of ID throughout, each live record once with its expiry and
// size, no expired record.
func checkListed(t *testing.T, all []session.Entry, byID map[string]listed, live int) {
	hashed := -1 // unknown, 0 raw keys, 1 hashes
	seen := make(map[string]bool)
	for i, e := range all {
		if i > 0 && e.ID <= all[i-1].ID {
			t.Errorf("List not in ID order: %q after %q", e.ID, all[i-1].ID)
		}
		w, ok := byID[e.ID]
		if !ok {
			t.Errorf("List returned ID %q, neither a stored key nor its hash", e.ID)
			continue
		}
		form := 0
		if e.ID != w.key {
			form = 1
		}
		if hashed >= 0 && form != hashed {
			t.Errorf("List mixes raw keys and hashes")
		}
		hashed = form
		if w.expiry.IsZero() {
			t.Errorf("List returned the expired record %q", e.ID)
			continue
		}
		if seen[w.key] {
			t.Errorf("List returned %q twice", e.ID)
		}
		seen[w.key] = true
		if d := e.Expiry.Sub(w.expiry).Abs(); d >= precision {
			t.Errorf("entry %q: Expiry %v, want %v", e.ID, e.Expiry, w.expiry)
		}
		if e.Size != w.size {
			t.Errorf("entry %q: Size %d, want %d", e.ID, e.Size, w.size)
		}
	}
	if len(seen) != live {
		t.Errorf("List returned %d live entries in all, want %d", len(seen), live)
	}
}

// checkListFrom lists from the middle of all, past its end, and with a
// limit of 1.
func checkListFrom(t *testing.T, l session.Lister, all []session.Entry, pageSize int) {
	ctx := context.Background()
	mid := all[len(all)/2].ID
	rest, err := l.List(ctx, mid, len(all))
	if err != nil {
		t.Fatalf("List(%q): %v", mid, err)
	}
	if got, want := ids(rest), ids(all[len(all)/2+1:]); got != want {
		t.Errorf("List(%q) = %s, want %s", mid, got, want)
	}
	if rest, err := l.List(ctx, all[len(all)-1].ID, pageSize); err != nil || len(rest) != 0 {
		t.Errorf("List after the last ID = %s, %v; want nothing", ids(rest), err)
	}
	// A limit of 1 gives exactly the first entry.
	if one, err := l.List(ctx, "", 1); err != nil || len(one) != 1 || one[0].ID != all[0].ID {
		t.Errorf("List(\"\", 1) = %s, %v; want [%s]", ids(one), err, all[0].ID)
	}
}

func ids(entries []session.Entry) string {
	s := make([]string, len(entries))
	for i, e := range entries {
		s[i] = e.ID
	}
	return "[" + strings.Join(s, " ") + "]"
}

func testCounter(t *testing.T, s session.Store, _ Options) {
	c, ok := s.(session.Counter)
	if !ok {
		t.Skip("store does not implement session.Counter")
	}
	ctx := context.Background()
	count := func(want int) {
		t.Helper()
		n, err := c.Count(ctx)
		if err != nil {
			t.Fatalf("Count: %v", err)
		}
		if n != want {
			t.Errorf("Count = %d, want %d", n, want)
		}
	}
	count(0)
	var keys []string
	for range 4 {
		k := session.NewKey()
		mustCreate(t, s, k, []byte("live"), time.Now().Add(time.Hour))
		keys = append(keys, k)
	}
	for range 3 {
		mustCreate(t, s, session.NewKey(), []byte("expired"), time.Now().Add(-time.Second))
	}
	count(4)
	if err := s.Delete(ctx, keys[0]); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	count(3)
}

// --- helpers ------------------------------------------------------------
