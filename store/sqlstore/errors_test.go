package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// fakeConnector stands for a driver the detection does not know.
type fakeConnector struct{}

type fakeDriver struct{}

func (fakeConnector) Connect(context.Context) (driver.Conn, error) { return nil, driver.ErrBadConn }
func (fakeConnector) Driver() driver.Driver                        { return fakeDriver{} }
func (fakeDriver) Open(string) (driver.Conn, error)                { return nil, driver.ErrBadConn }

// allCalls runs every store method with ctx and returns their errors.
func allCalls(ctx context.Context, s *Store, key string, v session.Version) map[string]error {
	rec := session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour), Version: v}
	errs := map[string]error{}
	_, errs["Load"] = s.Load(ctx, key)
	_, errs["Create"] = s.Create(ctx, session.NewKey(), rec)
	_, errs["Update"] = s.Update(ctx, key, rec)
	errs["Delete"] = s.Delete(ctx, key)
	_, errs["DeleteExpired"] = s.DeleteExpired(ctx, 10)
	_, errs["List"] = s.List(ctx, "", 10)
	_, errs["Count"] = s.Count(ctx)
	errs["Migrate"] = s.Migrate(ctx)
	return errs
}

func TestClosedDBIsUnavailable(t *testing.T) {
	s, err := openSQLite(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	key := session.NewKey()
	v := mustCreate(t, s, key, "x", time.Now().Add(time.Hour))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for name, err := range allCalls(context.Background(), s, key, v) {
		if !errors.Is(err, session.ErrUnavailable) {
			t.Errorf("%s on a closed DB: %v, want ErrUnavailable", name, err)
		}
		if session.StatusFor(err) != 503 {
			t.Errorf("%s on a closed DB: status %d, want 503", name, session.StatusFor(err))
		}
	}
}

// TestDBClosedUnderStore: the *sql.DB given to New is closed while the
// store (with its prepared statements) is in use.
func TestDBClosedUnderStore(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	key := session.NewKey()
	v := mustCreate(t, s, key, "x", time.Now().Add(time.Hour))
	db.Close()
	for name, err := range allCalls(context.Background(), s, key, v) {
		if !errors.Is(err, session.ErrUnavailable) {
			t.Errorf("%s after the DB was closed: %v, want ErrUnavailable", name, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestCannotOpenIsUnavailable(t *testing.T) {
	s, err := openSQLite(filepath.Join(t.TempDir(), "no", "such", "dir", "s.db"))
	if err != nil {
		t.Fatal(err) // sql.Open does not connect
	}
	defer s.Close()
	_, err = s.Load(context.Background(), session.NewKey())
	wantErr(t, "Load from a database that cannot be opened", err, session.ErrUnavailable)
}

func TestCancelledContext(t *testing.T) {
	s := openTest(t)
	key := session.NewKey()
	v := mustCreate(t, s, key, "kept", time.Now().Add(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, err := range allCalls(ctx, s, key, v) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v, want context.Canceled", name, err)
		}
		if errors.Is(err, session.ErrUnavailable) {
			t.Errorf("%s with a cancelled context matches ErrUnavailable: %v", name, err)
		}
	}
	rec, err := s.Load(context.Background(), key)
	if err != nil || rec.Version != v || string(rec.Data) != "kept" {
		t.Errorf("record after cancelled calls: %+v, %v", rec, err)
	}
}

func TestDeadlineIsUnavailable(t *testing.T) {
	s := openTest(t)
	key := session.NewKey()
	v := mustCreate(t, s, key, "x", time.Now().Add(time.Hour))
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	for name, err := range allCalls(ctx, s, key, v) {
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, session.ErrUnavailable) {
			t.Errorf("%s past its deadline: %v, want DeadlineExceeded and ErrUnavailable", name, err)
		}
	}
}

// TestWriteQueueHonoursContext: a write waiting for the in-process write
// slot gives up when its context ends.
func TestWriteQueueHonoursContext(t *testing.T) {
	s := openTest(t)
	key := session.NewKey()
	v := mustCreate(t, s, key, "x", time.Now().Add(time.Hour))
	s.wsem <- struct{}{} // a writer holds the slot
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := s.Update(ctx, key, session.Record{Data: []byte("y"), Expiry: time.Now().Add(time.Hour), Version: v})
	<-s.wsem
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, session.ErrUnavailable) {
		t.Errorf("Update stuck behind a writer: %v, want DeadlineExceeded", err)
	}
	if _, err := s.Update(context.Background(), key, session.Record{Data: []byte("y"), Expiry: time.Now().Add(time.Hour), Version: v}); err != nil {
		t.Errorf("Update once the slot is free: %v", err)
	}
}

// TestLockedIsUnavailable: another process holding the write lock past the
// busy timeout gives an error matching ErrUnavailable, not a plain one.
func TestLockedIsUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(50)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	other := rawDB(t, path)
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")

	_, err = s.Create(ctx, session.NewKey(), session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)})
	if !errors.Is(err, session.ErrUnavailable) {
		t.Errorf("Create while another connection holds the write lock: %v, want ErrUnavailable", err)
	}
	// Readers are not blocked by the writer in WAL mode.
	_, err = s.Load(ctx, session.NewKey())
	wantErr(t, "Load while another connection writes", err, session.ErrNotFound)
}

func TestUnavailableClassification(t *testing.T) {
	s := &Store{d: sqliteDialect{}}
	yes := []error{
		driver.ErrBadConn,
		sql.ErrConnDone,
		errors.New("sql: database is closed"),
		context.DeadlineExceeded,
		&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")},
		fmt.Errorf("wrapped: %w", driver.ErrBadConn),
		codeErr(5),    // SQLITE_BUSY
		codeErr(261),  // SQLITE_BUSY_RECOVERY
		codeErr(6),    // SQLITE_LOCKED
		codeErr(14),   // SQLITE_CANTOPEN
		codeErr(3850), // SQLITE_IOERR_LOCK
		errors.New("database is locked"),
	}
	no := []error{
		context.Canceled,
		fmt.Errorf("%w (%w)", context.Canceled, driver.ErrBadConn),
		errors.New("no such table: tether_sessions"),
		codeErr(1),    // SQLITE_ERROR
		codeErr(1555), // SQLITE_CONSTRAINT_PRIMARYKEY
		codeErr(13),   // SQLITE_FULL
	}
	for _, err := range yes {
		if !s.unavailable(err) {
			t.Errorf("%v (%T) not classified as unavailable", err, err)
		}
	}
	for _, err := range no {
		if s.unavailable(err) {
			t.Errorf("%v (%T) classified as unavailable", err, err)
		}
	}
	d := sqliteDialect{}
	if !d.isUniqueViolation(codeErr(1555)) || !d.isUniqueViolation(codeErr(2067)) || d.isUniqueViolation(codeErr(19)) {
		t.Error("unique-violation classification")
	}
	if !d.isUniqueViolation(errors.New("UNIQUE constraint failed: t.id")) {
		t.Error("unique violation by message")
	}
}

// codeErr is a driver error with an SQLite result code, like
// modernc.org/sqlite's *sqlite.Error.
type codeErr int

func (c codeErr) Error() string { return fmt.Sprintf("sqlite error %d", int(c)) }
func (c codeErr) Code() int     { return int(c) }
