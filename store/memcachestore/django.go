package memcachestore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/djangocache"
)

// djangoFlags are the item flags of a pickled value: pymemcache's
// FLAG_PICKLE, which Django's PyMemcacheCache (pymemcache.serde.pickle_serde)
// sets for every value that is not bytes, str or int.
const djangoFlags = 1

// ErrDjangoFlags is matched, with session.ErrNotFound, by the error of a
// DjangoCache Load or Update that found an item whose flags are not
// pymemcache's pickle flag (1): something other than a pickled dict.
var ErrDjangoFlags = errors.New("memcachestore: item flags are not pymemcache's pickle flag (1)")

// DjangoCache is a session.Store that keeps sessions as Django's cache
// session backend does with PyMemcacheCache: the record's Data
// (djangocache.Codec's pickle) is the item's value, with flags 1, under
// the prefix followed by the session key itself (djangocache.CachePrefix,
// ":1:django.contrib.sessions.cache", unless WithPrefix says otherwise),
// and the item's expiration is the record's Expiry, in whole seconds
// (see djangoExpiration: an item dies up to a second late). A Django app with SESSION_ENGINE =
// "django.contrib.sessions.backends.cache" on the same servers reads and
// writes the same sessions. Make one with NewDjangoCache; use it with
// djangocache.Codec. The client must use the same server selection as
// Django's pymemcache HashClient when there are several servers; give it
// one server (or one per Django cache) to be sure.
//
// Versions are djangocache.ContentVersion of the value, and Update's
// compare-and-swap is memcached's gets/cas on the item (two round trips),
// so it holds between Go processes; Django's own writes are plain sets.
//
// memcached does not report an item's expiration, and Django's item holds
// nothing else, so Load cannot know a record's Expiry: it reports the
// current time plus the age given with WithDjangoMaxAge (Django's
// SESSION_COOKIE_AGE, two weeks by default), which is how Django itself
// computes a cache session's expiry when it was not set explicitly.
// Records still die on time: memcached drops the item at its expiration.
type DjangoCache struct {
	client *memcache.Client
	prefix string
	maxAge time.Duration
	now    func() time.Time
	log    *slog.Logger
}

var _ session.Store = (*DjangoCache)(nil)

// DjangoOption configures a DjangoCache.
type DjangoOption func(*DjangoCache)

// WithDjangoPrefix sets the start of every item name (default
// djangocache.CachePrefix; djangocache.CachedDBPrefix for the entries of
// cached_db; "<KEY_PREFIX>:<VERSION>:django.contrib.sessions.cache" when
// Django's KEY_PREFIX or VERSION is not the default).
func WithDjangoPrefix(prefix string) DjangoOption {
	return func(s *DjangoCache) { s.prefix = prefix }
}

// WithDjangoMaxAge sets the expiry age Load reports (default
// session.DefaultMaxAge); use the Manager's MaxAge.
func WithDjangoMaxAge(d time.Duration) DjangoOption {
	return func(s *DjangoCache) {
		if d > 0 {
			s.maxAge = d
		}
	}
}

// WithDjangoLogger sets the logger that is told, at Warn, about items
// under a session's key whose flags are not the pickle flag (a str, an
// int or bytes Django's cache stored there): they are reported to the
// Manager as missing, which starts a fresh session. The default is
// slog.Default() at the time of NewDjangoCache.
func WithDjangoLogger(l *slog.Logger) DjangoOption {
	return func(s *DjangoCache) {
		if l != nil {
			s.log = l
		}
	}
}

// NewDjangoCache returns a DjangoCache on the servers of client; the
// caller keeps ownership of client. It panics if the prefix cannot start
// a memcached key.
func NewDjangoCache(client *memcache.Client, opts ...DjangoOption) *DjangoCache {
	s := &DjangoCache{client: client, prefix: djangocache.CachePrefix, maxAge: session.DefaultMaxAge, now: time.Now, log: slog.Default()}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	if err := checkPrefix(s.prefix); err != nil {
		panic(err)
	}
	return s
}

// djangoExpiration is memcached's expiration for an item that dies at
// expiry: seconds from now, rounded up, plus one, or a Unix time (also
// rounded up, plus one) beyond 30 days (maxRelative, as Django's
// get_backend_timeout), or -1 (already expired) for a past one. memcached
// keeps time in whole seconds that tick on their own, so an item given n
// seconds dies between n-1 and n seconds later; the extra second makes it
// die up to a second late rather than ever early.
func djangoExpiration(expiry, now time.Time) int32 {
	d := expiry.Sub(now)
	if d <= 0 {
		return -1
	}
	secs := int64((d+time.Second-1)/time.Second) + 1
	if secs <= maxRelative {
		return int32(secs)
	}
	abs := expiry.Unix() + 1
	if expiry.Nanosecond() != 0 {
		abs++
	}
	return int32(min(abs, math.MaxInt32))
}

// get reads the item of key. A miss gives notFound; an item with other
// flags gives an error matching session.ErrNotFound and ErrDjangoFlags.
func (s *DjangoCache) get(op, key string, notFound error) (*memcache.Item, error) {
	it, err := s.client.Get(s.prefix + key)
	switch {
	case errors.Is(err, memcache.ErrCacheMiss):
		return nil, notFound
	case err != nil:
		return nil, wrap(op, err)
	case it.Flags != djangoFlags:
		s.log.Warn("memcachestore: the item under a session key is not a pickled dict; treating the session as missing",
			slog.String("op", op), slog.Uint64("flags", uint64(it.Flags)), slog.Int("size", len(it.Value)))
		return nil, fmt.Errorf("memcachestore: %s: %w: %w (flags %d)", op, session.ErrNotFound, ErrDjangoFlags, it.Flags)
	}
	return it, nil
}

// Load returns the record under key: one round trip.
func (s *DjangoCache) Load(ctx context.Context, key string) (session.Record, error) {
	if err := ctxErr(ctx, "load"); err != nil {
		return session.Record{}, err
	}
	if !session.ValidKey(key) {
		return session.Record{}, errLoadNotFound
	}
	it, err := s.get("load", key, errLoadNotFound)
	if err != nil {
		return session.Record{}, err
	}
	return session.Record{Data: it.Value, Expiry: s.now().Add(s.maxAge), Version: djangocache.ContentVersion(it.Value)}, nil
}

// Create stores rec under key unless an item is there (an error matching
// session.ErrExists): Django's cache.add. A record whose Expiry has passed
// is not stored. One round trip (two for a dead record).
func (s *DjangoCache) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	if err := ctxErr(ctx, "create"); err != nil {
		return 0, err
	}
	if !session.ValidKey(key) {
		return 0, fmt.Errorf("memcachestore: create: invalid session key")
	}
	now := s.now()
	if !rec.Expiry.After(now) {
		// Dead on arrival: store nothing, but report a live item.
		_, err := s.client.Get(s.prefix + key)
		switch {
		case errors.Is(err, memcache.ErrCacheMiss):
			return djangocache.ContentVersion(rec.Data), nil
		case err != nil:
			return 0, wrap("create", err)
		}
		return 0, errCreateExists
	}
	err := s.client.Add(&memcache.Item{Key: s.prefix + key, Value: rec.Data, Flags: djangoFlags, Expiration: djangoExpiration(rec.Expiry, now)})
	switch {
	case errors.Is(err, memcache.ErrNotStored):
		return 0, errCreateExists
	case err != nil:
		return 0, wrap("create", err)
	}
	return djangocache.ContentVersion(rec.Data), nil
}

// Update replaces the record under key if its content still has version
// rec.Version, with gets and cas: two round trips. An Update whose Expiry
// has passed leaves an item memcached treats as expired.
func (s *DjangoCache) Update(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	if err := ctxErr(ctx, "update"); err != nil {
		return 0, err
	}
	if !session.ValidKey(key) {
		return 0, errUpdateNotFound
	}
	it, err := s.get("update", key, errUpdateNotFound)
	if err != nil {
		return 0, err
	}
	if it.CasID == 0 {
		return 0, errUpdateCASDisabled
	}
	if djangocache.ContentVersion(it.Value) != rec.Version {
		return 0, errUpdateConflict
	}
	if err := ctxErr(ctx, "update"); err != nil {
		return 0, err
	}
	it.Value, it.Expiration = rec.Data, djangoExpiration(rec.Expiry, s.now())
	err = s.client.CompareAndSwap(it)
	switch {
	case err == nil:
		return djangocache.ContentVersion(rec.Data), nil
	case errors.Is(err, memcache.ErrCacheMiss), errors.Is(err, memcache.ErrNotStored):
		return 0, errUpdateNotFound
	case errors.Is(err, memcache.ErrCASConflict):
		return 0, errUpdateConflict
	}
	return 0, wrap("update", err)
}

// Delete removes the item under key, if any (Django's cache.delete).
func (s *DjangoCache) Delete(ctx context.Context, key string) error {
	if err := ctxErr(ctx, "delete"); err != nil {
		return err
	}
	if !session.ValidKey(key) {
		return nil
	}
	if err := s.client.Delete(s.prefix + key); err != nil && !errors.Is(err, memcache.ErrCacheMiss) {
		return wrap("delete", err)
	}
	return nil
}
