package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tetherweb/tether/session"
)

// Store is a session.Store on a SQL database. It also implements
// session.Lister and session.Counter. Its methods are safe for concurrent
// use, also by several processes sharing the database.
type Store struct {
	db    *sql.DB
	d     dialect
	name  Dialect
	table table
	q     *queries

	django      bool // Django's table (WithDjangoTable)
	hashKeys    bool
	autoMigrate bool
	now         func() time.Time
	ownDB       bool

	// wsem queues writes in-process when the dialect takes one writer at
	// a time (a channel rather than a mutex, so a wait ends with its
	// context); nil otherwise.
	wsem chan struct{}

	migrated  atomic.Bool              // the DDL ran (Migrate or first use)
	stmts     atomic.Pointer[prepared] // set once the store is ready for use
	preparing chan struct{}            // held while ensure gets the store ready
	closed    atomic.Bool
}

// prepared are a store's statements, prepared on the *sql.DB (which
// prepares them again on each connection it opens).
type prepared [numQueries]*sql.Stmt

var (
	_ session.Store   = (*Store)(nil)
	_ session.Lister  = (*Store)(nil)
	_ session.Counter = (*Store)(nil)
)

// errClosed is returned by a store after Close.
var errClosed = fmt.Errorf("store is closed: %w", session.ErrUnavailable)

// New returns a store on db. The dialect comes from [WithDialect] or else
// from the type of db's driver (modernc.org/sqlite, pgx's stdlib,
// go-sql-driver/mysql); New fails for a driver it does not know, a
// dialect whose driver package (store/sqlstore/sqlite, …/postgres,
// …/mysql) is not imported (see [Driver]), a bad
// [WithTable] name, or WithHashKeys(true) with [WithDjangoTable]. New does not touch
// the database: on first use the store creates its table (see
// [WithAutoMigrate] and [Store.Migrate]) and prepares its statements.
//
// On MySQL and MariaDB, db's connections must report changed rows, not
// found rows: do not set clientFoundRows=true in the go-sql-driver/mysql
// DSN. Create tells "inserted" from "a live record exists" by the number
// of rows its statement changed, and with found rows it would report
// success over a live record (leaving it as it was, and returning a
// version that was never stored) instead of session.ErrExists.
// mysql.Open refuses such a DSN; with New, the store checks on first use
// (with a temporary table on one connection) and then fails every call
// with an error naming clientFoundRows. When the database user may not
// create temporary tables, the check cannot tell, and the requirement is
// yours to keep.
func New(db *sql.DB, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: nil *sql.DB")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.django {
		if cfg.hashKeysSet && cfg.hashKeys {
			return nil, errors.New("sqlstore: DjangoTable keeps raw session keys; WithHashKeys(true) cannot apply")
		}
		cfg.hashKeys = false
		if !cfg.tableSet {
			cfg.table = DjangoTableName
		}
		if !cfg.autoMigrateSet {
			cfg.autoMigrate = false
		}
	}
	parts, err := splitTable(cfg.table)
	if err != nil {
		return nil, err
	}
	name := cfg.dialect
	if name == "" {
		if name, err = detectDialect(db); err != nil {
			return nil, err
		}
	}
	d, ok := dialects[name]
	if !ok {
		return nil, fmt.Errorf("sqlstore: unsupported dialect %q", name)
	}
	if _, ok := registeredDriver(name); !ok {
		return nil, errNoDriver(name)
	}
	cols := tetherColumns(d)
	if cfg.django {
		cols = djangoColumns(d)
	}
	s := &Store{
		db:          db,
		d:           d,
		name:        name,
		table:       table(parts),
		q:           buildQueries(d, table(parts), cols, cfg.django),
		django:      cfg.django,
		hashKeys:    cfg.hashKeys,
		autoMigrate: cfg.autoMigrate,
		now:         cfg.now,
		ownDB:       cfg.closeDB,
		preparing:   make(chan struct{}, 1),
	}
	if d.serialWrites() {
		s.wsem = make(chan struct{}, 1)
	}
	return s, nil
}

// NewOwned is [New] for a database the store alone uses, in dialect d: the
// store's Close closes db ([WithCloseDB]), and NewOwned closes db itself
// when it fails. The driver packages' Open functions end with it.
func NewOwned(db *sql.DB, d Dialect, opts ...Option) (*Store, error) {
	s, err := New(db, append([]Option{WithDialect(d), WithCloseDB(true)}, opts...)...)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// DB returns the database the store works on, for tuning its pool or
// running other queries. Closing it breaks the store.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect returns the store's dialect.
func (s *Store) Dialect() Dialect { return s.name }

// Django reports whether the store works on Django's table ([WithDjangoTable]),
// whose records the Manager must encode with session.NewDjangoCodec for
// Django to read them.
func (s *Store) Django() bool { return s.django }

// Table returns the name of the store's table, as given to [WithTable].
func (s *Store) Table() string { return strings.Join(s.table, ".") }

// Close releases the store's prepared statements and, if the store owns
// the database (the driver packages' Open, or [WithCloseDB]), closes it;
// otherwise a *sql.DB given to [New] stays open. The store cannot be used afterwards:
// its methods return an error matching session.ErrUnavailable.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	// Wait for a preparation in progress, so that nothing is prepared
	// after this.
	s.preparing <- struct{}{}
	defer func() { <-s.preparing }()
	var errs []error
	if p := s.stmts.Swap(nil); p != nil {
		for _, st := range p {
			errs = append(errs, st.Close())
		}
	}
	if s.ownDB {
		errs = append(errs, s.db.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlstore: close: %w", err)
	}
	return nil
}

// id is the stored form of a session key.
func (s *Store) id(key string) string {
	if s.hashKeys {
		return session.HashKey(key)
	}
	return key
}

// nowMs is the current time in Unix milliseconds.
func (s *Store) nowMs() int64 { return s.now().UnixMilli() }

// nowArg is the current time in the stored form, for comparisons with the
// expiry column.
func (s *Store) nowArg() any {
	if s.django {
		_, now := s.djangoNow()
		return now
	}
	return s.nowMs()
}

// expiryMs is the stored form of an expiry instant: Unix milliseconds,
// truncated towards the past.
func expiryMs(t time.Time) int64 {
	ms := t.UnixMilli()
	if t.Before(time.UnixMilli(ms)) {
		ms-- // UnixMilli truncates towards zero; before 1970 that is up
	}
	return ms
}

// lockWrite waits for the in-process write slot (when the dialect has one).
func (s *Store) lockWrite(ctx context.Context) error {
	if s.wsem == nil {
		return nil
	}
	select {
	case s.wsem <- struct{}{}:
		return nil
	default:
	}
	select {
	case s.wsem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Store) unlockWrite() {
	if s.wsem != nil {
		<-s.wsem
	}
}

// maxRetries is how many times a statement that failed transiently (a
// deadlock victim) runs again.
const maxRetries = 3

// exec runs write statement qi, in the write queue, and returns the number
// of rows it affected. A statement the database rolled back as a deadlock
// victim runs again: each statement is a transaction of its own.
func (s *Store) exec(ctx context.Context, p *prepared, qi int, a *args) (int64, error) {
	if err := s.lockWrite(ctx); err != nil {
		return 0, err
	}
	defer s.unlockWrite()
	bound := s.q[qi].bind(a)
	for attempt := 0; ; attempt++ {
		res, err := p[qi].ExecContext(ctx, bound...)
		if err != nil {
			if attempt < maxRetries && s.d.isRetryable(err) && ctx.Err() == nil {
				continue
			}
			return 0, err
		}
		return res.RowsAffected()
	}
}

// queryRow runs query qi, which selects at most one row.
func (s *Store) queryRow(ctx context.Context, p *prepared, qi int, a *args) *sql.Row {
	return p[qi].QueryRowContext(ctx, s.q[qi].bind(a)...)
}

// Load implements session.Store: one SELECT of the live row.
func (s *Store) Load(ctx context.Context, key string) (session.Record, error) {
	return s.load(ctx, s.id(key))
}

// load is Load of the row whose id column holds id.
func (s *Store) load(ctx context.Context, id string) (session.Record, error) {
	p, err := s.ensure(ctx)
	if err != nil {
		return session.Record{}, s.wrap(ctx, "load", err)
	}
	if s.django {
		return s.loadDjango(ctx, p, id)
	}
	a := args{id: id, now: s.nowMs()}
	var (
		data            []byte
		expiry, version int64
	)
	err = s.queryRow(ctx, p, qLoad, &a).Scan(&data, &expiry, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return session.Record{}, fmt.Errorf("sqlstore: load: %w", session.ErrNotFound)
	}
	if err != nil {
		return session.Record{}, s.wrap(ctx, "load", err)
	}
	if version <= 0 {
		return session.Record{}, fmt.Errorf("sqlstore: load: invalid stored version %d", version)
	}
	observeVersion(version)
	if data == nil {
		data = []byte{}
	}
	return session.Record{
		Data:    data,
		Expiry:  time.UnixMilli(expiry).UTC(),
		Version: session.Version(version),
	}, nil
}

// loadDjango is Load on Django's table: the version is the one the
// database computes from the row, as the compare-and-swap will.
func (s *Store) loadDjango(ctx context.Context, p *prepared, id string) (session.Record, error) {
	_, now := s.djangoNow()
	a := args{id: id, now: now}
	var (
		data                []byte
		expiryText, version string
	)
	err := s.queryRow(ctx, p, qLoad, &a).Scan(&data, &expiryText, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return session.Record{}, fmt.Errorf("sqlstore: load: %w", session.ErrNotFound)
	}
	if err != nil {
		return session.Record{}, s.wrap(ctx, "load", err)
	}
	expiry, err := parseDjangoExpiry(expiryText)
	if err != nil {
		return session.Record{}, fmt.Errorf("sqlstore: load: bad expire_date %q: %w", expiryText, err)
	}
	v, ok := parseVersionHex(version)
	if !ok {
		return session.Record{}, fmt.Errorf("sqlstore: load: bad version %q from the database", version)
	}
	data = djangoDataBack(data)
	if data == nil {
		data = []byte{}
	}
	return session.Record{Data: data, Expiry: expiry, Version: v}, nil
}

// Create implements session.Store with one statement that inserts the
// record, or replaces an expired one, and changes no row when a live
// record exists (then ErrExists).
func (s *Store) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	p, err := s.ensure(ctx)
	if err != nil {
		return 0, s.wrap(ctx, "create", err)
	}
	a, version, _ := s.writeArgs(s.id(key), rec, 0)
	n, err := s.exec(ctx, p, qCreate, &a)
	if err != nil {
		if s.d.isUniqueViolation(err) {
			return 0, fmt.Errorf("sqlstore: create: %w", session.ErrExists)
		}
		return 0, s.wrap(ctx, "create", err)
	}
	if n == 0 {
		return 0, fmt.Errorf("sqlstore: create: %w", session.ErrExists)
	}
	return version, nil
}

// Update implements session.Store as one conditional statement: an UPDATE
// of the live row at the expected version or, when rec.Expiry has already
// passed, a DELETE of it. When it changes no row, a second query tells
// ErrConflict (a live row at another version) from ErrNotFound. In Django
// mode the version compared is the hash of the row (see WithDjangoTable),
// computed by the database in the same statement.
func (s *Store) Update(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	return s.update(ctx, s.id(key), rec)
}

// update is Update of the row whose id column holds id.
func (s *Store) update(ctx context.Context, id string, rec session.Record) (session.Version, error) {
	p, err := s.ensure(ctx)
	if err != nil {
		return 0, s.wrap(ctx, "update", err)
	}
	if !s.django && (rec.Version == 0 || rec.Version > math.MaxInt64) {
		// No stored record can have it: find out whether there is one.
		return 0, s.updateFailed(ctx, p, &args{id: id, now: s.nowMs()}, rec.Version)
	}
	a, version, retire := s.writeArgs(id, rec, rec.Version)
	if s.django {
		a.oldVer = versionHex(uint64(rec.Version))
	} else {
		a.oldVer = int64(rec.Version)
	}
	qi := qUpdate
	if retire {
		// Retiring the record: leave nothing behind to clean up.
		qi = qRetire
	}
	n, err := s.exec(ctx, p, qi, &a)
	if err != nil {
		return 0, s.wrap(ctx, "update", err)
	}
	if n == 0 {
		return 0, s.updateFailed(ctx, p, &a, rec.Version)
	}
	return version, nil
}

// writeArgs returns the arguments of a statement that writes rec as id
// over a row of version old (0 for none), the version the written row
// has, and whether rec.Expiry has passed already by the store's clock.
func (s *Store) writeArgs(id string, rec session.Record, old session.Version) (args, session.Version, bool) {
	if s.django {
		data := djangoData(rec.Data)
		nowT, now := s.djangoNow()
		expiry, _, v := s.djangoExpiry(data, rec.Expiry, old)
		return args{id: id, data: data, expiry: s.d.djangoTime(expiry), now: now}, v, !expiry.After(nowT)
	}
	expiry, now := expiryMs(rec.Expiry), s.nowMs()
	a := args{id: id, data: nonNil(rec.Data), expiry: expiry, version: nextVersion(int64(old)), now: now}
	return a, session.Version(a.version), expiry <= now
}

// updateFailed tells why an Update changed nothing.
func (s *Store) updateFailed(ctx context.Context, p *prepared, a *args, expected session.Version) error {
	stored, err := s.probe(ctx, p, a)
	if err != nil {
		return s.wrap(ctx, "update", err)
	}
	return updateError(stored, expected)
}

// probe returns the version of the live row under a.id, or 0 when there is
// none.
func (s *Store) probe(ctx context.Context, p *prepared, a *args) (session.Version, error) {
	var (
		stored int64
		text   string // Django mode's version column, in hex
	)
	dest := any(&stored)
	if s.django {
		dest = &text
	}
	err := s.queryRow(ctx, p, qProbe, a).Scan(dest)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if !s.django {
		observeVersion(stored)
		return session.Version(stored), nil
	}
	v, ok := parseVersionHex(text)
	if !ok {
		return 0, fmt.Errorf("bad version %q from the database", text)
	}
	return v, nil
}

func updateError(stored, expected session.Version) error {
	if stored == 0 {
		return fmt.Errorf("sqlstore: update: %w", session.ErrNotFound)
	}
	return fmt.Errorf("sqlstore: update: %w (stored %d, expected %d)", session.ErrConflict, stored, expected)
}

// Delete implements session.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	return s.delete(ctx, s.id(key))
}

// delete is Delete of the row whose id column holds id.
func (s *Store) delete(ctx context.Context, id string) error {
	p, err := s.ensure(ctx)
	if err != nil {
		return s.wrap(ctx, "delete", err)
	}
	a := args{id: id}
	if _, err := s.exec(ctx, p, qDelete, &a); err != nil {
		return s.wrap(ctx, "delete", err)
	}
	return nil
}

// DeleteExpired implements session.Store. With limit > 0 it deletes at
// most limit rows in one statement (DELETE … ORDER BY expiry LIMIT ? on
// MySQL, DELETE … WHERE id IN (SELECT … LIMIT ?) elsewhere), so that a
// large backlog is cleared in short transactions.
func (s *Store) DeleteExpired(ctx context.Context, limit int) (int, error) {
	p, err := s.ensure(ctx)
	if err != nil {
		return 0, s.wrap(ctx, "delete expired", err)
	}
	a := args{now: s.nowArg(), limit: limit}
	qi := qDeleteExpired
	if limit > 0 {
		qi = qDeleteExpiredLimited
	}
	n, err := s.exec(ctx, p, qi, &a)
	if err != nil {
		return 0, s.wrap(ctx, "delete expired", err)
	}
	return int(n), nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
