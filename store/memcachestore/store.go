package memcachestore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/tetherweb/tether/session"
)

// maxAttempts bounds the retries of Create and Update when the item keeps
// changing between their read and their write.
const maxAttempts = 4

// Store is a session.Store on memcached. Make one with New. Its methods are
// safe for concurrent use, also by several processes sharing the servers.
//
// Load returns a Data slice that the store never touches again. Create and
// Update copy the Data they are given.
type Store struct {
	client *memcache.Client
	prefix string
	now    func() time.Time
	hints  *hintTable // nil when disabled
}

var _ session.Store = (*Store)(nil)

// New returns a store that keeps its records on the servers of client.
// The caller keeps ownership of client (and closes it). New panics if
// WithPrefix gave a prefix memcached keys cannot start with.
func New(client *memcache.Client, opts ...Option) *Store {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if err := checkPrefix(cfg.prefix); err != nil {
		panic(err)
	}
	return &Store{client: client, prefix: cfg.prefix, now: cfg.now, hints: newHintTable(cfg.casHints)}
}

// ItemKey returns the name of the memcached item that holds the record of
// the session key: the prefix followed by session.HashKey(key).
func (s *Store) ItemKey(key string) string {
	item, _ := s.itemKey(key)
	return item
}

// itemKey returns the item name for key and a hash of key that picks its
// CAS hint slot.
func (s *Store) itemKey(key string) (string, uint64) {
	sum := sha256.Sum256([]byte(key))
	var hexSum [2 * sha256.Size]byte
	hex.Encode(hexSum[:], sum[:])
	var b strings.Builder
	b.Grow(len(s.prefix) + len(hexSum))
	b.WriteString(s.prefix)
	b.Write(hexSum[:])
	return b.String(), binary.LittleEndian.Uint64(sum[:8])
}

// Load returns the live record stored under key, or an error matching
// session.ErrNotFound when there is none, it has expired, or the item does
// not hold a record of this package (then also ErrMalformed). One round
// trip.
func (s *Store) Load(ctx context.Context, key string) (session.Record, error) {
	if err := ctxErr(ctx, "load"); err != nil {
		return session.Record{}, err
	}
	item, hash := s.itemKey(key)
	it, err := s.get(ctx, item)
	if errors.Is(err, memcache.ErrCacheMiss) {
		return session.Record{}, errLoadNotFound
	}
	if err != nil {
		return session.Record{}, wrap("load", err)
	}
	if it.CasID == 0 {
		return session.Record{}, errLoadCASDisabled
	}
	h, data, err := decodeValue(it.Value)
	if err != nil {
		return session.Record{}, fmt.Errorf("memcachestore: load: %w: %w", session.ErrNotFound, err)
	}
	now := s.now()
	if !h.live(now) {
		return session.Record{}, errLoadNotFound
	}
	s.hints.put(hash, &casHint{item: item, version: h.version, cas: it.CasID, expiryMs: h.expiryMs, seenMs: now.UnixMilli()})
	return session.Record{Data: data, Expiry: time.UnixMilli(h.expiryMs), Version: h.version}, nil
}

// Create stores a copy of rec.Data under key unless a live record is there
// (an error matching session.ErrExists), and returns the new record's
// version. An expired record, or an item that is not a record, is
// replaced.
func (s *Store) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	if err := ctxErr(ctx, "create"); err != nil {
		return 0, err
	}
	item, hash := s.itemKey(key)
	s.hints.forget(hash, item)
	value := encodeValue(0, rec.Expiry, rec.Data)
	for range maxAttempts {
		v := nextVersion(0)
		setVersion(value, v)
		err := s.write(ctx, opAdd, &memcache.Item{Key: item, Value: value, Expiration: expiration(rec.Expiry, s.now())})
		if err == nil {
			return v, nil
		}
		if !errors.Is(err, memcache.ErrNotStored) {
			return 0, wrap("create", err)
		}

		// An item is there; it may be replaced if it is dead by our
		// header (the server keeps it a little longer) or not ours.
		if err := ctxErr(ctx, "create"); err != nil {
			return 0, err
		}
		old, err := s.get(ctx, item)
		if errors.Is(err, memcache.ErrCacheMiss) {
			continue // gone meanwhile: add again
		}
		if err != nil {
			return 0, wrap("create", err)
		}
		if old.CasID == 0 {
			return 0, errCreateCASDisabled
		}
		h, _, perr := decodeValue(old.Value)
		if perr == nil && h.live(s.now()) {
			return 0, errCreateExists
		}
		if err := ctxErr(ctx, "create"); err != nil {
			return 0, err
		}
		v, err = s.swap(ctx, item, value, h.version, rec.Expiry, old.CasID) // h is zero for an unreadable item
		switch {
		case err == nil:
			return v, nil
		case errors.Is(err, memcache.ErrCASConflict), errors.Is(err, memcache.ErrCacheMiss), errors.Is(err, memcache.ErrNotStored):
			continue // changed or gone meanwhile: start again
		default:
			return 0, wrap("create", err)
		}
	}
	return 0, fmt.Errorf("memcachestore: create: the item kept changing: %w", session.ErrExists)
}

// Update replaces the record under key with a copy of rec.Data and
// rec.Expiry if its version is rec.Version, and returns the new version. It
// returns an error matching session.ErrConflict when the version differs
// and session.ErrNotFound when no live record is there. One round trip
// after a Load of rec.Version by this Store, two otherwise.
func (s *Store) Update(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	if err := ctxErr(ctx, "update"); err != nil {
		return 0, err
	}
	item, hash := s.itemKey(key)
	value := encodeValue(0, rec.Expiry, rec.Data)

	if h := s.hints.take(hash, item, rec.Version, s.now().UnixMilli()); h != nil {
		if v, changed, err := s.swapUpdate(ctx, item, value, rec.Version, rec.Expiry, h.cas); !changed {
			return v, err
		}
		// Changed since that Load: find out how, below.
	}

	for range maxAttempts {
		if err := ctxErr(ctx, "update"); err != nil {
			return 0, err
		}
		it, err := s.get(ctx, item)
		if errors.Is(err, memcache.ErrCacheMiss) {
			return 0, errUpdateNotFound
		}
		if err != nil {
			return 0, wrap("update", err)
		}
		if it.CasID == 0 {
			return 0, errUpdateCASDisabled
		}
		h, _, err := decodeValue(it.Value)
		switch {
		case err != nil:
			return 0, fmt.Errorf("memcachestore: update: %w: %w", session.ErrNotFound, err)
		case !h.live(s.now()):
			return 0, errUpdateNotFound
		case h.version != rec.Version:
			return 0, errUpdateConflict
		}
		if err := ctxErr(ctx, "update"); err != nil {
			return 0, err
		}
		if v, changed, err := s.swapUpdate(ctx, item, value, h.version, rec.Expiry, it.CasID); !changed {
			return v, err
		}
		// Changed between the read and the write: look again.
	}
	return 0, fmt.Errorf("memcachestore: update: the item kept changing: %w", session.ErrConflict)
}

// Delete removes the record under key, if any. One round trip.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctxErr(ctx, "delete"); err != nil {
		return err
	}
	item, hash := s.itemKey(key)
	return s.deleteItem(ctx, item, hash)
}

// deleteItem is Delete of the item named item, whose CAS hint slot is
// hash.
func (s *Store) deleteItem(ctx context.Context, item string, hash uint64) error {
	s.hints.forget(hash, item)
	if err := s.write(ctx, opDelete, &memcache.Item{Key: item}); err != nil && !errors.Is(err, memcache.ErrCacheMiss) {
		return wrap("delete", err)
	}
	return nil
}

// swap writes value, an encoded record, to item as the version after prev
// if the item's CAS id is still cas, and returns that version.
func (s *Store) swap(ctx context.Context, item string, value []byte, prev session.Version, expiry time.Time, cas uint64) (session.Version, error) {
	v := nextVersion(prev)
	setVersion(value, v)
	return v, s.write(ctx, opCAS, &memcache.Item{Key: item, Value: value, Expiration: expiration(expiry, s.now()), CasID: cas})
}

// swapUpdate is Update's swap (see swap). changed reports that the item
// changed since it was read (a CAS conflict), so Update must read it again;
// otherwise v and err are what Update returns.
func (s *Store) swapUpdate(ctx context.Context, item string, value []byte, prev session.Version, expiry time.Time, cas uint64) (v session.Version, changed bool, err error) {
	v, err = s.swap(ctx, item, value, prev, expiry, cas)
	switch {
	case err == nil:
		return v, false, nil
	case errors.Is(err, memcache.ErrCacheMiss), errors.Is(err, memcache.ErrNotStored):
		return 0, false, errUpdateNotFound
	case errors.Is(err, memcache.ErrCASConflict):
		return 0, true, nil
	default:
		return 0, false, wrap("update", err)
	}
}
