package storetest

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// What a value and a key may hold: a large value, any bytes, keys that
// differ in one character.

func testLargeValue(t *testing.T, s session.Store, o Options) {
	ctx := context.Background()
	size := LargeValueSize
	if o.MaxValueSize > 0 && o.MaxValueSize < size {
		size = o.MaxValueSize
	}
	rng := rand.NewChaCha8([32]byte{'t', 'e', 't', 'h', 'e', 'r'})
	data := make([]byte, size)
	rng.Read(data)
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	v := mustCreate(t, s, key, data, expiry)
	wantRecord(t, o, s, key, data, expiry, v)

	data2 := make([]byte, size)
	rng.Read(data2)
	v2, err := s.Update(ctx, key, session.Record{Data: data2, Expiry: expiry, Version: v})
	if err != nil {
		t.Fatalf("Update with %d bytes: %v", size, err)
	}
	wantRecord(t, o, s, key, data2, expiry, v2)
}

// binaryCases are Data values that break stores which treat data as text.
var binaryCases = []struct {
	name string
	data []byte
}{
	{"empty", []byte{}},
	{"NUL", []byte("a\x00b\x00")},
	{"only NUL", []byte{0}},
	{"0xff", []byte{0xff, 0xfe, 0xfd, 0x00, 0xff}},
	{"invalid UTF-8", []byte{'x', 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x82}},
	{"newlines", []byte("\nfirst\r\nsecond\n\n")},
	{"quotes", []byte(`"double" 'single' ` + "`back`" + ` \"escaped\" \\ %s %d`)},
	{"unicode", []byte("héllo wörld — 世界 🎉 \u200b\ufeff")},
	{"looks like a header", []byte("tether-session v1 1 2\nsessionid\x00{\"k\":1}")},
	{"SQL and JSON", []byte(`'); DROP TABLE sessions; -- {"a":[1,2,{"b":null}]}`)},
	{"all bytes", allBytes()},
}

func allBytes() []byte {
	b := make([]byte, 512)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func testBinaryData(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)
	for i, c := range binaryCases {
		key := session.NewKey()
		v := mustCreate(t, s, key, c.data, expiry)
		rec := mustLoad(t, s, key)
		if !bytes.Equal(rec.Data, c.data) {
			t.Errorf("%s: Create/Load returned %q, want %q", c.name, rec.Data, c.data)
		}
		// Update with another case's bytes, so every value goes through
		// both paths.
		next := binaryCases[(i+1)%len(binaryCases)].data
		v, err := s.Update(ctx, key, session.Record{Data: next, Expiry: expiry, Version: v})
		if err != nil {
			t.Fatalf("%s: Update: %v", c.name, err)
		}
		rec = mustLoad(t, s, key)
		if !bytes.Equal(rec.Data, next) || rec.Version != v {
			t.Errorf("%s: Update/Load returned %q (version %d), want %q (version %d)", c.name, rec.Data, rec.Version, next, v)
		}
	}
}

// testSimilarKeys checks that keys one character apart are different
// records: a store that hashes, truncates or folds keys must not confuse
// them. (Stores only ever get valid keys, so this, not odd characters, is
// what key handling can get wrong.)
func testSimilarKeys(t *testing.T, s session.Store, o Options) {
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)
	key := session.NewKey()
	v := mustCreate(t, s, key, []byte("original"), expiry)

	neighbours := []string{
		changeAt(key, len(key)-1),
		changeAt(key, 0),
		changeAt(key, len(key)/2),
	}
	for _, n := range neighbours {
		if !session.ValidKey(n) {
			t.Fatalf("test bug: %q is not a valid key", n)
		}
		_, err := s.Load(ctx, n)
		wantErr(t, "Load of a neighbouring key", err, session.ErrNotFound)
		_, err = s.Update(ctx, n, session.Record{Data: []byte("wrong"), Expiry: expiry, Version: v})
		wantErr(t, "Update of a neighbouring key with the original's version", err, session.ErrNotFound)
		if err := s.Delete(ctx, n); err != nil {
			t.Fatalf("Delete of a neighbouring key: %v", err)
		}
		wantRecord(t, o, s, key, []byte("original"), expiry, v)
	}
	versions := map[string]session.Version{key: v}
	for i, n := range neighbours {
		versions[n] = mustCreate(t, s, n, []byte("neighbour "+strconv.Itoa(i)), expiry)
	}
	wantRecord(t, o, s, key, []byte("original"), expiry, v)
	for i, n := range neighbours {
		wantRecord(t, o, s, n, []byte("neighbour "+strconv.Itoa(i)), expiry, versions[n])
	}
	if err := s.Delete(ctx, neighbours[0]); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantRecord(t, o, s, key, []byte("original"), expiry, v)
}

// changeAt returns key with the character at i replaced by its neighbour in
// the key alphabet.
func changeAt(key string, i int) string {
	b := []byte(key)
	switch c := b[i]; {
	case c == 'z':
		b[i] = '0'
	case c == '9':
		b[i] = 'a'
	default:
		b[i] = c + 1
	}
	return string(b)
}
