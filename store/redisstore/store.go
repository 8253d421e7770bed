package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/tetherweb/tether/internal/detach"
	"github.com/tetherweb/tether/session"
)

var (
	// ErrInvalidKey is returned (wrapped) for a key that is not a valid
	// session key (session.ValidKey); such a key is refused before Redis is
	// asked. Load and Update wrap session.ErrNotFound as well, since no
	// record can exist under it.
	ErrInvalidKey = errors.New("redisstore: invalid session key")
	// ErrCorrupt is wrapped, with session.ErrNotFound, in the error of a
	// Load or Update that found under a session's Redis key something that
	// is not a session record (another type, a missing field, a bad
	// version or expiry).
	ErrCorrupt = errors.New("redisstore: corrupt session record")
)

// Errors returned on the usual paths are made once, so that a miss or a
// conflict does not allocate.
var (
	errLoadNotFound    = fmt.Errorf("redisstore: load: %w", session.ErrNotFound)
	errLoadInvalid     = fmt.Errorf("redisstore: load: %w: %w", session.ErrNotFound, ErrInvalidKey)
	errCreateExists    = fmt.Errorf("redisstore: create: %w", session.ErrExists)
	errCreateInvalid   = fmt.Errorf("redisstore: create: %w", ErrInvalidKey)
	errUpdateNotFound  = fmt.Errorf("redisstore: update: %w", session.ErrNotFound)
	errUpdateInvalid   = fmt.Errorf("redisstore: update: %w: %w", session.ErrNotFound, ErrInvalidKey)
	errUpdateConflict  = fmt.Errorf("redisstore: update: %w", session.ErrConflict)
	errUpdateCorrupted = corrupt("update", "the key holds something that is not a session record")
)

// The errors that the codes of the write scripts' replies stand for.
var (
	createCodes       = map[int64]error{codeExists: errCreateExists}
	updateCodes       = map[int64]error{codeConflict: errUpdateConflict, codeNotFound: errUpdateNotFound, codeCorrupt: errUpdateCorrupted}
	djangoUpdateCodes = map[int64]error{codeConflict: errUpdateConflict, codeNotFound: errUpdateNotFound, codeCorrupt: corrupt("update", "the key holds another type than a string")}
)

// maxInt is the largest version or expiry (in Unix milliseconds, about
// the year 287000) a record may hold: the scripts' Lua numbers are exact
// below 2^53. Later expiry instants are stored as this one.
const maxInt = 1<<53 - 1

// Store is a session.Store, session.Lister and session.Counter kept in
// Redis. Make one with New. All methods are safe for concurrent use, also
// by several processes sharing the Redis server or Cluster.
//
// The Store does not own the client: close the client when done with it.
// Load returns a Data slice of its own, which nothing changes later;
// Create and Update have sent rec.Data to Redis before they return, so
// callers may reuse their buffers.
type Store struct {
	client   redis.UniversalClient
	prefix   string
	hashKeys bool
	now      func() time.Time
	// ctxTimeouts: the client applies context deadlines itself
	// (ContextTimeoutEnabled); otherwise calls with a deadline are
	// detached (internal/detach).
	ctxTimeouts bool
}

var (
	_ session.Store   = (*Store)(nil)
	_ session.Lister  = (*Store)(nil)
	_ session.Counter = (*Store)(nil)
)

// New returns a Store that keeps its records through client: a *redis.Client
// (one node, or a Sentinel-managed master from redis.NewFailoverClient), a
// *redis.ClusterClient or a *redis.Ring, or whatever
// redis.NewUniversalClient returned. It sends nothing to Redis until the
// first call. It panics if client is nil.
func New(client redis.UniversalClient, opts ...Option) *Store {
	if client == nil {
		panic("redisstore: New with a nil client")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return &Store{client: client, prefix: cfg.prefix, hashKeys: cfg.hashKeys, now: cfg.now, ctxTimeouts: honoursContext(client)}
}

// redisKey returns the Redis key of the session key.
func (s *Store) redisKey(key string) string {
	if s.hashKeys {
		return s.prefix + session.HashKey(key)
	}
	return s.prefix + key
}

// Load returns the live record stored under key, with one HMGET. A missing
// or expired record gives an error matching session.ErrNotFound, and so
// does a corrupt one (also matching ErrCorrupt).
func (s *Store) Load(ctx context.Context, key string) (session.Record, error) {
	if err := checkKey(ctx, "load", key, errLoadInvalid); err != nil {
		return session.Record{}, err
	}
	return s.load(ctx, s.redisKey(key))
}

// load is Load of the Redis key rkey.
func (s *Store) load(ctx context.Context, rkey string) (session.Record, error) {
	var vals []any
	var err error
	if s.direct(ctx) {
		vals, err = s.client.HMGet(ctx, rkey, fieldData, fieldVersion, fieldExpiry).Result()
	} else {
		vals, err = detach.Run(ctx, func() ([]any, error) {
			return s.client.HMGet(ctx, rkey, fieldData, fieldVersion, fieldExpiry).Result()
		})
	}
	if err != nil {
		if redis.HasErrorPrefix(err, "WRONGTYPE") {
			return session.Record{}, corrupt("load", "the key holds another type than a hash")
		}
		return session.Record{}, wrap(ctx, "load", err)
	}
	rec, found, reason := decode(vals)
	switch {
	case reason != "":
		return session.Record{}, corrupt("load", reason)
	case !found || !rec.Expiry.After(s.now()):
		return session.Record{}, errLoadNotFound
	}
	return rec, nil
}

// decode reads the reply of HMGET data version expiry. found is false when
// the key does not exist; reason says what is wrong with a corrupt record.
func decode(vals []any) (rec session.Record, found bool, reason string) {
	if len(vals) != 3 {
		return rec, false, fmt.Sprintf("HMGET answered %d values for 3 fields", len(vals))
	}
	if vals[0] == nil && vals[1] == nil && vals[2] == nil {
		return rec, false, ""
	}
	data, ok := vals[0].(string)
	if !ok {
		return rec, true, "no data field"
	}
	version, ok := parseInt(vals[1])
	if !ok {
		return rec, true, "missing or malformed version field"
	}
	expiry, ok := parseInt(vals[2])
	if !ok {
		return rec, true, "missing or malformed expiry field"
	}
	rec = session.Record{
		Data:    []byte(data),
		Expiry:  time.UnixMilli(expiry),
		Version: session.Version(version),
	}
	return rec, true, ""
}

// parseInt accepts what the scripts write: the canonical decimal form of
// a positive integer not above maxInt (2^53-1).
func parseInt(v any) (int64, bool) {
	s, ok := v.(string)
	if !ok || len(s) == 0 || len(s) > 16 || s[0] < '1' || s[0] > '9' { // no sign, no leading zero
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > maxInt {
		return 0, false
	}
	return n, true
}

// corrupt is the error for a key that holds no valid record.
func corrupt(op, reason string) error {
	return fmt.Errorf("redisstore: %s: %w (%w: %s)", op, session.ErrNotFound, ErrCorrupt, reason)
}

// expiryArgs returns the script arguments for an expiry: the instant in
// Unix milliseconds and "1" when the record is already dead by the store's
// clock ("0" otherwise).
func (s *Store) expiryArgs(expiry time.Time) (int64, string) {
	return expiryArgs(expiry, s.now())
}

// expiryArgs is Store.expiryArgs with the current time now.
func expiryArgs(expiry, now time.Time) (int64, string) {
	ms := min(expiry.UnixMilli(), maxInt)
	if ms <= 0 || !expiry.After(now) {
		return ms, "1"
	}
	return ms, "0"
}

// Create stores rec.Data and rec.Expiry under key unless a live record is
// there (an error matching session.ErrExists), and returns the new
// record's version. It is one script call (EVALSHA). A record whose
// Expiry has passed is not stored, but still gets a version.
func (s *Store) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	if err := checkKey(ctx, "create", key, errCreateInvalid); err != nil {
		return 0, err
	}
	ms, dead := s.expiryArgs(rec.Expiry)
	n, err := s.runScript(ctx, createScript, s.redisKey(key), rec.Data, ms, dead)
	n, err = writeReply(ctx, "create", n, err, createCodes)
	return session.Version(n), err
}

// Update replaces the record under key with rec.Data and rec.Expiry if its
// version is still rec.Version, and returns the new version. It returns an
// error matching session.ErrConflict when the version differs, and
// session.ErrNotFound when no live record is there. An Update whose
// rec.Expiry has passed deletes the record (when the version matches). It
// is one script call (EVALSHA).
func (s *Store) Update(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	if err := checkKey(ctx, "update", key, errUpdateInvalid); err != nil {
		return 0, err
	}
	return s.update(ctx, s.redisKey(key), rec)
}

// update is Update of the Redis key rkey.
func (s *Store) update(ctx context.Context, rkey string, rec session.Record) (session.Version, error) {
	ms, dead := s.expiryArgs(rec.Expiry)
	want := strconv.FormatUint(uint64(rec.Version), 10)
	n, err := s.runScript(ctx, updateScript, rkey, rec.Data, ms, dead, want)
	n, err = writeReply(ctx, "update", n, err, updateCodes)
	return session.Version(n), err
}

// runScript runs script on the Redis key rkey with args and returns its
// integer reply, detached from ctx when the client would not apply its
// deadline (see direct).
func (s *Store) runScript(ctx context.Context, script *redis.Script, rkey string, args ...any) (int64, error) {
	keys := []string{rkey}
	if s.direct(ctx) {
		return script.Run(ctx, s.client, keys, args...).Int64()
	}
	return detach.Run(ctx, func() (int64, error) {
		return script.Run(ctx, s.client, keys, args...).Int64()
	})
}

// Delete removes the record under key, if any, with one DEL.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: delete: %w", err)
	}
	if !session.ValidKey(key) {
		return nil // nothing can be stored under it
	}
	return s.delete(ctx, s.redisKey(key))
}

// delete is Delete of the Redis key rkey.
func (s *Store) delete(ctx context.Context, rkey string) error {
	if s.direct(ctx) {
		return wrap(ctx, "delete", s.client.Del(ctx, rkey).Err())
	}
	_, err := detach.Run(ctx, func() (int64, error) { return s.client.Del(ctx, rkey).Result() })
	return wrap(ctx, "delete", err)
}
