package session

import (
	"context"
	"errors"
	"time"
)

// Store keeps session records on the server. The Manager is its only
// caller; stores never see decoded session data, only the codec's bytes.
//
// Keys given to a store are session keys as the client holds them
// (32 characters of [a-z0-9]); a store may keep a hash of the key instead of
// the key (see HashKey) so that a leaked table or directory does not leak
// live sessions.
//
// Every method takes a context first and must return promptly with its
// error (wrapping ctx.Err()) once the context is cancelled. Methods are
// called concurrently and must be safe for concurrent use, also across
// processes sharing the same backend where the backend allows it.
//
// Expiry instants are kept to at least millisecond precision. Create and
// Update accept an Expiry that has already passed and then leave no live
// record (tests and the Manager rely on that to retire records).
//
// Versions implement compare-and-swap: each successful Create or Update
// gives the record a new version, different from every version the same key
// had before (a counter is the usual choice); Update succeeds only when the
// stored version still equals the one the caller loaded.
type Store interface {
	// Load returns the record stored under key. A missing record and a
	// record whose Expiry is not after the current time both give
	// ErrNotFound: an expired record is never returned, whatever the
	// client sends. The caller must not modify the returned Data, and the
	// store must not change it later either (a later Update replaces the
	// record, it does not write into a slice a Load returned).
	Load(ctx context.Context, key string) (Record, error)

	// Create stores a new record under key with rec.Data and rec.Expiry
	// (rec.Version is ignored) and returns its version. When a live record
	// already exists under key it changes nothing and returns ErrExists;
	// an expired record under key may be replaced.
	Create(ctx context.Context, key string, rec Record) (Version, error)

	// Update replaces the record under key with rec.Data and rec.Expiry if
	// its stored version equals rec.Version, and returns the new version.
	// It returns ErrConflict when the record exists with another version,
	// and ErrNotFound when it is missing or expired: an Update never
	// creates a record, so a session deleted by a concurrent request is
	// never brought back. An Update whose rec.Expiry is not after the
	// current time leaves no live record behind (the store may delete it):
	// the Manager uses that to retire a record only if nobody changed it.
	Update(ctx context.Context, key string, rec Record) (Version, error)

	// Delete removes the record under key. Deleting a missing record is not
	// an error.
	Delete(ctx context.Context, key string) error
}

// Sweeper is implemented by stores whose expired records stay in the
// backend until somebody removes them (SQL tables, session files, the
// memory map). Stores whose backend expires records by itself (Redis,
// memcached) do not implement it: there is nothing to sweep, and the
// tether CLI's clearsessions says so.
type Sweeper interface {
	// DeleteExpired removes up to limit records whose expiry has passed
	// (all of them when limit <= 0) and returns how many it removed.
	// Callers loop until it returns fewer than limit, which keeps each
	// statement or lock short on large stores.
	DeleteExpired(ctx context.Context, limit int) (int, error)
}

// Local is implemented by stores that keep their records in this
// process's memory and never wait on I/O (store/memstore). The Manager does
// not bound their calls with StoreTimeout: there is nothing to wait for,
// and the bound's timer would be the largest cost of a read-only request.
// Its Load checks the expiry against time.Now, as every Store's must
// (never a record whose expiry has passed): when the Manager's clock is
// time.Now too, the Manager does not read the clock to check it again.
type Local interface {
	// Local reports whether the store's calls never wait on I/O.
	Local() bool
}

// Version identifies one state of a stored record, for compare-and-swap.
// Zero is never a valid version of a stored record.
type Version uint64

// Record is one stored session.
type Record struct {
	Data    []byte    // the codec's encoding of the session's values
	Expiry  time.Time // the instant after which the record is dead
	Version Version   // set by Load; the expected version for Update
}

// Errors of the Store contract. Stores wrap them (errors.Is matches).
var (
	// ErrNotFound: no live record under the key.
	ErrNotFound = errors.New("session: record not found")
	// ErrExists: Create found a live record under the key.
	ErrExists = errors.New("session: record already exists")
	// ErrConflict: Update found the record at another version.
	ErrConflict = errors.New("session: version conflict")
	// ErrUnavailable: the backend could not be reached. Stores wrap
	// connection failures with it; the default error handler answers 503.
	ErrUnavailable = errors.New("session: store unavailable")
)

// Entry describes a stored record for listings (see Lister).
type Entry struct {
	ID     string    // the key as stored: the session key, or its hash (HashKey)
	Expiry time.Time // when the record dies
	Size   int       // length of the stored data in bytes
}

// Lister is implemented by stores that can enumerate their records, for
// operators (the tether CLI's sessions list).
type Lister interface {
	// List returns up to limit live entries (all of them when limit <= 0)
	// whose IDs sort after the given ID (use "" to start), in byte order of
	// their IDs.
	List(ctx context.Context, after string, limit int) ([]Entry, error)
}

// IDStore is implemented by stores that address a record by the ID their
// listing shows (Entry.ID): store/sqlstore, store/filestore,
// store/redisstore (Cluster included), store/memstore and
// store/tieredstore. Operators' tools (the tether CLI) use it to show,
// revoke and re-seal a record found in a listing without the session key,
// which a listing never shows.
type IDStore interface {
	// LoadID is Load of the record listed under id. An ID of a form the
	// store never lists finds nothing (ErrNotFound).
	LoadID(ctx context.Context, id string) (Record, error)
	// UpdateID is Update (compare-and-swap on rec.Version) of the record
	// listed under id.
	UpdateID(ctx context.Context, id string, rec Record) (Version, error)
	// DeleteID is Delete of the record listed under id. Deleting a missing
	// record is not an error; an ID of a form the store never lists may
	// give ErrNotFound.
	DeleteID(ctx context.Context, id string) error
}

// Counter is implemented by stores that can count their live records.
type Counter interface {
	Count(ctx context.Context) (int, error)
}

// CookieStore keeps the whole session in the cookie instead of on the
// server (store/cookiestore): give it to Manager.CookieStore instead of a
// Store. The Manager seals the encoded session into the cookie value on
// save and opens it on load. There is no server state, so there is no
// compare-and-swap: two concurrent requests that change the session each
// send a whole new cookie and the browser keeps the last one.
type CookieStore interface {
	// SealCookie returns the cookie value that carries rec.Data until
	// rec.Expiry.
	SealCookie(rec Record) (string, error)
	// OpenCookie verifies or decrypts a cookie value made by SealCookie and
	// returns the record in it (Data and Expiry). Any failure (tampering,
	// another key, garbage) is an error; the Manager also refuses a record
	// whose Expiry has passed.
	OpenCookie(value string) (Record, error)
}
