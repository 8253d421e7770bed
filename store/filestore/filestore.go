// Package filestore keeps each session in its own file in one directory,
// like Django's file session backend. Several processes on one machine may
// share the directory.
//
// # Files
//
// A record under key lives in the file named by the prefix (DefaultPrefix
// unless WithPrefix says otherwise) followed by session.HashKey(key), 64
// hex digits, or by the key itself with WithHashKeys(false), the naming
// of Django's file backend. A file name is only ever built from a key that passed
// session.ValidKey; any other key is refused before the file system is
// touched. Files are created with mode 0600.
//
// A file holds one header line and then the session data, byte for byte:
//
//	tether-session v1 <version> <expiry>\n<data>
//
// where version is the record version and expiry the expiry instant in
// Unix nanoseconds, both in decimal. A file that does not parse is treated
// as missing (the error matches session.ErrNotFound and ErrCorrupt), never
// as a panic; Create may replace it and DeleteExpired removes it.
//
// WithDjangoLayout switches to Django's own files instead (no header: the
// expiry and the version come from the file's modification time and
// content), so that a Django app using its file backend on the same
// directory shares the sessions.
//
// # Writes and locking
//
// Every write goes to a temporary file in the same directory (named
// ".tmp-*") that is then renamed over the record's file, so a reader sees
// the old record or the new one, never a mix: Load takes no lock. Create,
// Update, Delete and DeleteExpired read, decide and write while holding an
// exclusive lock: an in-process mutex, then flock(2) on the file ".lock" in
// the directory, which also excludes other processes. On systems without
// flock the lock only covers the current process (see lock_other.go).
// Shared network file systems are not supported.
//
// The data is not fsynced by default: a machine crash may lose recent
// writes or leave a file that no longer parses, which then reads as no
// session (the user logs in again). WithSync makes every write durable
// before it returns, at a large cost in latency.
//
// Creating the temporary file dominates the cost of a write: go test
// -run '^$' -bench . -benchmem ./store/filestore/ measures an Update at
// 0.7 to 1ms on ext4 in a 2-CPU VM (a Load about 10µs), so this store
// suits modest traffic; prefer a database or Redis for more.
//
// # Versions
//
// Every Create and Update gives the record a fresh random 64-bit version
// from math/rand/v2's runtime-seeded generator (never zero, never the
// version it replaces). Since a deleted record
// leaves nothing behind, a counter could not carry on across a delete and a
// new Create; a random version repeats an earlier one of the same key with
// probability 2^-64, and does not depend on the clocks of the processes
// sharing the directory.
package filestore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/tetherweb/tether/session"
)

// DefaultPrefix starts the name of every session file unless WithPrefix
// sets another.
const DefaultPrefix = "tether-"

// Names of the store's own files in the directory.
const (
	lockName   = ".lock"
	tempPrefix = ".tmp-"
)

// tempMaxAge is how old a temporary file must be before DeleteExpired
// takes it for the leftover of a crashed write and removes it.
const tempMaxAge = time.Minute

var (
	// ErrInvalidKey is returned (wrapped) for a key that is not a valid
	// session key. Load, Update and Delete wrap session.ErrNotFound as
	// well, since no record can exist under such a key.
	ErrInvalidKey = errors.New("filestore: invalid session key")
	// ErrCorrupt is wrapped, with session.ErrNotFound, in the error of a
	// Load or Update that found a file it cannot parse.
	ErrCorrupt = errors.New("filestore: corrupt session file")
)

// Option configures a Store made by New.
type Option func(*config)

type config struct {
	prefix    string
	rawKeys   bool
	sync      bool
	createDir bool
	django    *djangoConfig
}

// WithPrefix sets the start of every session file name (default
// DefaultPrefix). It may be empty, or up to 64 characters of [A-Za-z0-9_-].
// Django's file backend uses the session cookie name, "sessionid".
func WithPrefix(prefix string) Option {
	return func(c *config) { c.prefix = prefix }
}

// WithHashKeys(false) names files after the session key itself instead of
// its SHA-256 (on, the default), as Django's file backend does. Anyone who
// can list the directory can then present its sessions.
func WithHashKeys(on bool) Option {
	return func(c *config) { c.rawKeys = !on }
}

// WithSync makes every write fsync the new file and the directory before
// returning, so that a write that succeeded survives a machine crash.
// Off by default.
func WithSync(on bool) Option {
	return func(c *config) { c.sync = on }
}

// WithCreateDir makes New create the directory, and missing parents, with
// mode 0700 when it does not exist. Without it New fails on a missing
// directory, which usually means a configuration mistake.
func WithCreateDir(on bool) Option {
	return func(c *config) { c.createDir = on }
}

// Store is a session.Store, session.Lister and session.Counter kept as
// files in one directory. Make one with New. All methods are safe for
// concurrent use, also by several Stores and processes on one directory.
// A Store holds no open files and needs no Close.
//
// Expiry is kept in Unix nanoseconds; instants before the year 1678 or
// after 2262 are stored as the nearest representable one.
type Store struct {
	dir       string
	prefix    string
	rawKeys   bool
	sync      bool
	django    bool          // Django's file layout (WithDjangoLayout)
	cookieAge time.Duration // with django: SESSION_COOKIE_AGE
	mu        chan struct{} // in-process half of the write lock; capacity 1
}

var (
	_ session.Store   = (*Store)(nil)
	_ session.Lister  = (*Store)(nil)
	_ session.Counter = (*Store)(nil)
)

// New returns a Store keeping its files in dir. The directory must exist
// (or WithCreateDir be given) and be writable: New creates its lock file
// there, so a misconfigured directory fails at start-up rather than on the
// first request. The directory should belong to the store alone.
func New(dir string, opts ...Option) (*Store, error) {
	cfg := config{prefix: DefaultPrefix}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.django != nil {
		if cfg.django.cookieName == "" || !validPrefix(cfg.django.cookieName) {
			return nil, fmt.Errorf("filestore: invalid Django cookie name %q: use up to 64 characters of [A-Za-z0-9_-]", cfg.django.cookieName)
		}
		if cfg.django.cookieAge < 0 {
			return nil, errors.New("filestore: negative Django cookie age")
		}
		cfg.prefix, cfg.rawKeys = cfg.django.cookieName, true
	}
	if !validPrefix(cfg.prefix) {
		return nil, fmt.Errorf("filestore: invalid file prefix %q: use up to 64 characters of [A-Za-z0-9_-]", cfg.prefix)
	}
	if dir == "" {
		return nil, errors.New("filestore: no directory given")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	if cfg.createDir {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("filestore: create directory: %w", err)
		}
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("filestore: session directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("filestore: session directory %s is not a directory", dir)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("filestore: session directory not writable: %w", err)
	}
	f.Close()
	st := &Store{
		dir:     dir,
		prefix:  cfg.prefix,
		rawKeys: cfg.rawKeys,
		sync:    cfg.sync,
		mu:      make(chan struct{}, 1),
	}
	if cfg.django != nil {
		st.django, st.cookieAge = true, cfg.django.cookieAge
		if st.cookieAge == 0 {
			st.cookieAge = session.DefaultMaxAge
		}
	}
	return st, nil
}

func validPrefix(p string) bool {
	if len(p) > 64 {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Dir returns the absolute path of the store's directory.
func (s *Store) Dir() string { return s.dir }

// id returns the ID under which key is stored. key must be valid.
func (s *Store) id(key string) string {
	if s.rawKeys {
		return key
	}
	return session.HashKey(key)
}

// path returns the file of key, or "" when key is not a valid session
// key: no file name is ever made from anything else.
func (s *Store) path(key string) string {
	if !session.ValidKey(key) {
		return ""
	}
	return filepath.Join(s.dir, s.prefix+s.id(key))
}

// idOf returns the ID in a directory entry's name, or false when the name
// is not that of a session file of this store.
func (s *Store) idOf(name string) (string, bool) {
	if len(name) <= len(s.prefix) || name[:len(s.prefix)] != s.prefix {
		return "", false
	}
	id := name[len(s.prefix):]
	if s.rawKeys {
		return id, session.ValidKey(id)
	}
	if len(id) != 64 {
		return "", false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", false
		}
	}
	return id, true
}

// Load returns the live record stored under key. A missing, expired or
// unparsable file, and an invalid key, give an error matching
// session.ErrNotFound.
func (s *Store) Load(ctx context.Context, key string) (session.Record, error) {
	return s.load(ctx, s.path(key))
}

// load is Load of the file p ("" for an invalid key or ID).
func (s *Store) load(ctx context.Context, p string) (session.Record, error) {
	if err := ctx.Err(); err != nil {
		return session.Record{}, fmt.Errorf("filestore: load: %w", err)
	}
	if p == "" {
		return session.Record{}, fmt.Errorf("filestore: load: %w: %w", ErrInvalidKey, session.ErrNotFound)
	}
	var (
		b   []byte
		h   header
		err error
	)
	if s.django {
		h, b, err = s.djangoRead(p)
	} else if b, err = os.ReadFile(p); err == nil {
		h, err = parseHeader(b)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return session.Record{}, fmt.Errorf("filestore: load: %w", session.ErrNotFound)
	}
	if err != nil && !errors.Is(err, ErrCorrupt) {
		return session.Record{}, fmt.Errorf("filestore: load: %w", err)
	}
	if err != nil {
		return session.Record{}, fmt.Errorf("filestore: load: %w: %w", session.ErrNotFound, err)
	}
	if !h.live(time.Now()) {
		return session.Record{}, fmt.Errorf("filestore: load: %w", session.ErrNotFound)
	}
	return session.Record{Data: b[h.size:], Expiry: h.expiryTime(), Version: h.version}, nil
}

// Errors for an invalid key, made once.
var (
	errCreateInvalid = fmt.Errorf("filestore: create: %w", ErrInvalidKey)
	errUpdateInvalid = fmt.Errorf("filestore: update: %w: %w", ErrInvalidKey, session.ErrNotFound)
)

// locked writes rec to the file p for op (Create or Update) while
// holding the store's lock, if check, given the file's path, allows it:
// check returns the version of the record written over (zero for none)
// or the error op fails with. An empty p (a key or ID with no file name)
// gives invalid.
func (s *Store) locked(ctx context.Context, op, p string, rec session.Record, invalid error, check func(p string) (session.Version, error)) (session.Version, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("filestore: %s: %w", op, err)
	}
	if p == "" {
		return 0, invalid
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return 0, fmt.Errorf("filestore: %s: %w", op, err)
	}
	defer unlock()
	old, err := check(p)
	if err != nil {
		return 0, err
	}
	v, err := s.write(p, old, rec)
	if err != nil {
		return 0, fmt.Errorf("filestore: %s: %w", op, err)
	}
	return v, nil
}

// Create writes a new record under key unless a live one is there
// (session.ErrExists), and returns its version. An invalid key gives an
// error matching ErrInvalidKey.
func (s *Store) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	return s.locked(ctx, "create", s.path(key), rec, errCreateInvalid, func(p string) (session.Version, error) {
		h, err := s.readHeader(p)
		switch {
		case err == nil:
			if h.live(time.Now()) {
				return 0, fmt.Errorf("filestore: create: %w", session.ErrExists)
			}
		case errors.Is(err, fs.ErrNotExist), errors.Is(err, ErrCorrupt):
			// Nothing usable there: write over it.
		default:
			return 0, fmt.Errorf("filestore: create: %w", err)
		}
		return h.version, nil
	})
}

// Update replaces the record under key if its version is rec.Version and
// returns the new version. It returns an error matching
// session.ErrConflict when the version differs, and session.ErrNotFound
// when no live record is there (it never creates one).
func (s *Store) Update(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	return s.update(ctx, s.path(key), rec)
}

// update is Update of the file p ("" for an invalid key or ID).
func (s *Store) update(ctx context.Context, p string, rec session.Record) (session.Version, error) {
	return s.locked(ctx, "update", p, rec, errUpdateInvalid, func(p string) (session.Version, error) {
		h, err := s.readHeader(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return 0, fmt.Errorf("filestore: update: %w", session.ErrNotFound)
		case errors.Is(err, ErrCorrupt):
			return 0, fmt.Errorf("filestore: update: %w: %w", session.ErrNotFound, err)
		case err != nil:
			return 0, fmt.Errorf("filestore: update: %w", err)
		case !h.live(time.Now()):
			return 0, fmt.Errorf("filestore: update: %w", session.ErrNotFound)
		case h.version != rec.Version:
			return 0, fmt.Errorf("filestore: update: %w", session.ErrConflict)
		}
		return h.version, nil
	})
}

// Delete removes the file of key, if any. An invalid key gives an error
// matching ErrInvalidKey and session.ErrNotFound.
func (s *Store) Delete(ctx context.Context, key string) error {
	return s.delete(ctx, s.path(key))
}

// delete is Delete of the file p ("" for an invalid key or ID).
func (s *Store) delete(ctx context.Context, p string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("filestore: delete: %w", err)
	}
	if p == "" {
		return fmt.Errorf("filestore: delete: %w: %w", ErrInvalidKey, session.ErrNotFound)
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return fmt.Errorf("filestore: delete: %w", err)
	}
	defer unlock()
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("filestore: delete: %w", err)
	}
	return nil
}

// newVersion returns a random version that is neither zero nor old.
func newVersion(old session.Version) session.Version {
	for {
		if v := session.Version(rand.Uint64()); v != 0 && v != old {
			return v
		}
	}
}

// write stores rec in the file p, replacing a record of version old, and
// returns the new version: through a temporary file renamed over p, so
// that readers never see a partial record.
func (s *Store) write(p string, old session.Version, rec session.Record) (v session.Version, err error) {
	f, err := os.CreateTemp(s.dir, tempPrefix+"*")
	if err != nil {
		return 0, err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if !s.django {
		v = newVersion(old)
		hdr := appendHeader(make([]byte, 0, maxHeader), v, expiryNanos(rec.Expiry))
		if _, err = f.Write(hdr); err != nil {
			return 0, err
		}
	}
	if _, err = f.Write(rec.Data); err != nil {
		return 0, err
	}
	if s.sync {
		if err = f.Sync(); err != nil {
			return 0, err
		}
	}
	if err = f.Close(); err != nil {
		return 0, err
	}
	if s.django {
		// The expiry and the version live in the file's mtime.
		if v, err = s.djangoStamp(tmp, rec, old); err != nil {
			return 0, err
		}
		if s.sync {
			if err = syncPath(tmp); err != nil {
				return 0, err
			}
		}
	}
	if crashBeforeRename != nil {
		crashBeforeRename()
	}
	if err = os.Rename(tmp, p); err != nil {
		return 0, err
	}
	if s.sync {
		return v, syncPath(s.dir)
	}
	return v, nil
}

// syncPath makes durable what was written to the file or directory p:
// a file's metadata (its new mtime), a rename in a directory.
func syncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// crashBeforeRename, when set (by a test's helper process), runs between
// a write's temporary file and its rename, to kill the process there.
var crashBeforeRename func()

// expiryNanos returns t in Unix nanoseconds, clamped to what int64 holds.
func expiryNanos(t time.Time) int64 {
	switch {
	case t.Before(minExpiry):
		return math.MinInt64
	case t.After(maxExpiry):
		return math.MaxInt64
	}
	return t.UnixNano()
}

var (
	minExpiry = time.Unix(0, math.MinInt64)
	maxExpiry = time.Unix(0, math.MaxInt64)
)

// lock takes the store's write lock: first among the goroutines of this
// process, then among processes. It gives up when ctx is done.
func (s *Store) lock(ctx context.Context) (unlock func(), err error) {
	select {
	case s.mu <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release, err := lockFile(ctx, filepath.Join(s.dir, lockName))
	if err != nil {
		<-s.mu
		return nil, err
	}
	return func() {
		release()
		<-s.mu
	}, nil
}
