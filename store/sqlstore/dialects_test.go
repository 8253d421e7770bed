package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tetherweb/tether/session"
)

func TestDialectDetectionServers(t *testing.T) {
	for driverName, want := range map[string]Dialect{"pgx": Postgres, "mysql": MySQL, "sqlite": SQLite} {
		db, err := sql.Open(driverName, "") // sql.Open does not connect
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(db)
		if err != nil || s.Dialect() != want {
			t.Errorf("driver %q: New = %v, %v; want dialect %s", driverName, s, err, want)
		}
		db.Close()
	}
}

func TestDjangoOptions(t *testing.T) {
	db := rawDB(t, filepath.Join(t.TempDir(), "s.db"))
	s, err := New(db, WithDjangoTable())
	if err != nil {
		t.Fatal(err)
	}
	if !s.Django() || s.Table() != "django_session" || s.hashKeys || s.autoMigrate {
		t.Errorf("DjangoTable defaults: django %v, table %q, hashKeys %v, autoMigrate %v", s.Django(), s.Table(), s.hashKeys, s.autoMigrate)
	}
	if _, err := New(db, WithDjangoTable(), WithHashKeys(true)); err == nil {
		t.Error("DjangoTable with WithHashKeys(true) accepted")
	}
	s, err = New(db, WithHashKeys(false), WithTable("x.other"), WithAutoMigrate(true), WithDjangoTable())
	if err != nil || s.Table() != "x.other" || !s.autoMigrate || s.hashKeys {
		t.Errorf("DjangoTable with explicit options: %v, %q, %v", err, s.Table(), s.autoMigrate)
	}
}

// TestDjangoNeverCreatesTable: without Migrate (or WithAutoMigrate(true)),
// Django mode leaves a database without Django's table as it is.
func TestDjangoNeverCreatesTable(t *testing.T) {
	s := openTest(t, WithDjangoTable())
	_, err := s.Load(context.Background(), session.NewKey())
	if err == nil || errors.Is(err, session.ErrNotFound) || !strings.Contains(err.Error(), "no such table") {
		t.Fatalf("Load without Django's table: %v", err)
	}
	var n int
	s.db.QueryRow(`SELECT COUNT(*) FROM sqlite_master`).Scan(&n)
	if n != 0 {
		t.Errorf("%d schema objects created", n)
	}
}

// TestDjangoMigrateLeavesTableAlone: an existing Django table, even one
// that differs from what Migrate would make, is not touched.
func TestDjangoMigrateLeavesTableAlone(t *testing.T) {
	s := openTest(t, WithDjangoTable())
	ctx := context.Background()
	const ddl = `CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" datetime NOT NULL, "extra" text)`
	if _, err := s.db.Exec(ddl); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var sqls []string
	rows, err := s.db.Query(`SELECT sql FROM sqlite_master`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var q sql.NullString
		rows.Scan(&q)
		sqls = append(sqls, q.String)
	}
	rows.Close()
	if len(sqls) != 2 || sqls[0] != ddl { // the table and its primary key's autoindex
		t.Errorf("schema after Migrate: %q", sqls)
	}
	key := session.NewKey()
	mustCreate(t, s, key, "x", time.Now().Add(time.Hour))
	if _, err := s.Load(ctx, key); err != nil {
		t.Error(err)
	}
}

func TestDjangoIndexName(t *testing.T) {
	cases := []struct {
		table, column, suffix string
		max                   int
		want                  string
	}{
		{"django_session", "expire_date", "", 0, "django_session_expire_date_a5c62663"},
		{"django_session", "session_key", "_like", 63, "django_session_session_key_c0390e0f_like"},
		{"django_session", "expire_date", "", 64, "django_session_expire_date_a5c62663"},
	}
	for _, c := range cases {
		if got := djangoIndexName(c.table, c.column, c.suffix, c.max); got != c.want {
			t.Errorf("djangoIndexName(%q, %q) = %q, want %q", c.table, c.column, got, c.want)
		}
	}
	long := strings.Repeat("t", 60)
	got := djangoIndexName(long, "expire_date", "", 63)
	// Django: (63 - 8) / 2 - 1 = 26 characters of each part.
	if len(got) > 63 || !strings.HasPrefix(got, strings.Repeat("t", 26)+"_expire_date_") {
		t.Errorf("shortened index name %q", got)
	}
}

func TestExpiryIndexName(t *testing.T) {
	for _, max := range []int{0, 63, 64} {
		if got := expiryIndexName("tether_sessions", max); got != "tether_sessions_expiry_idx" {
			t.Errorf("expiryIndexName(tether_sessions, %d) = %q", max, got)
		}
	}
	fits := strings.Repeat("f", 52) // 52 + 11 = 63
	if got := expiryIndexName(fits, 63); got != fits+"_expiry_idx" {
		t.Errorf("a name that fits was changed: %q", got)
	}
	long := strings.Repeat("x", 57)
	if got := expiryIndexName(long+"abc", 0); got != long+"abc_expiry_idx" {
		t.Errorf("without a limit: %q", got)
	}
	for _, max := range []int{63, 64} {
		a, b := expiryIndexName(long+"_a1", max), expiryIndexName(long+"_b2", max)
		for _, got := range []string{a, b} {
			if len(got) != max || !strings.HasSuffix(got, "_expiry_idx") || !strings.HasPrefix(got, long[:max-20]+"_") {
				t.Errorf("expiryIndexName(…, %d) = %q (%d characters)", max, got, len(got))
			}
		}
		if a == b {
			t.Errorf("tables sharing a prefix share the index name %q", a)
		}
		if again := expiryIndexName(long+"_a1", max); again != a {
			t.Errorf("expiryIndexName is not deterministic: %q then %q", a, again)
		}
	}
}

func TestDjangoData(t *testing.T) {
	cases := []struct {
		in      []byte
		escaped bool
	}{
		{[]byte(""), false},
		{[]byte(`eyJhIjoxfQ:1r31eq:abc`), false},
		{[]byte(`.eJxVjEEOwiAQ:1r31eq:abc`), false},
		{[]byte("{\"a\":\"\\u00e9\"}\n\t"), false},
		{[]byte("!starts with a bang"), true},
		{[]byte("a\x00b"), true},
		{[]byte("héllo"), true},
		{[]byte{0xff, 0xfe}, true},
		{[]byte(djangoEscape + "AAAA"), true},
	}
	for _, c := range cases {
		stored := djangoData(c.in)
		if strings.HasPrefix(stored, djangoEscape) != c.escaped {
			t.Errorf("djangoData(%q) = %q; escaped should be %v", c.in, stored, c.escaped)
		}
		for _, b := range []byte(stored) {
			if b == 0 || b >= 0x80 {
				t.Errorf("djangoData(%q) = %q: not ASCII text", c.in, stored)
				break
			}
		}
		if back := djangoDataBack([]byte(stored)); !bytes.Equal(back, c.in) {
			t.Errorf("djangoDataBack(djangoData(%q)) = %q", c.in, back)
		}
	}
	// Text Django wrote that merely looks escaped is returned as it is.
	if got := djangoDataBack([]byte(djangoEscape + "not base64!")); string(got) != djangoEscape+"not base64!" {
		t.Errorf("djangoDataBack of bad base64 = %q", got)
	}
}

func TestDjangoVersions(t *testing.T) {
	if got := versionHex(0x0123456789abcdef); got != "0123456789abcdef" {
		t.Errorf("versionHex = %q", got)
	}
	if v, ok := parseVersionHex("00000000000000ff"); !ok || v != 255 {
		t.Errorf("parseVersionHex = %d, %v", v, ok)
	}
	if v, ok := parseVersionHex("0000000000000000"); !ok || v != 1 {
		t.Errorf("a zero hash reads as %d, %v; want 1", v, ok)
	}
	for _, bad := range []string{"", "123", "zzzzzzzzzzzzzzzz", "00000000000000000"} {
		if _, ok := parseVersionHex(bad); ok {
			t.Errorf("parseVersionHex(%q) accepted", bad)
		}
	}
	// The version is SHA-256(data ‖ expiry text), first 8 bytes: the
	// vector below was computed with sha256sum.
	if got := DjangoRowVersion("data", "2030-01-02 03:04:05.000000"); got != "14ebc1aa16c461c6" {
		t.Errorf("DjangoRowVersion = %s", got)
	}

	// djangoExpiry: never later than asked, less than 1 ms earlier, and
	// never the version to avoid.
	s := &Store{d: postgresDialect{}, now: time.Now}
	expiry := time.Date(2030, 1, 2, 3, 4, 5, 678901234, time.UTC)
	seen := map[session.Version]bool{}
	var last session.Version
	for range 50 {
		at, text, v := s.djangoExpiry("data", expiry, last)
		if at.After(expiry) || expiry.Sub(at) >= time.Millisecond || text != (postgresDialect{}).djangoText(at) {
			t.Fatalf("djangoExpiry(%v) = %v %q", expiry, at, text)
		}
		if v == 0 || v == last || v != session.Version(djangoVersionOf("data", text)) {
			t.Fatalf("djangoExpiry version %d (last %d)", v, last)
		}
		seen[v] = true
		last = v
	}
	if len(seen) < 40 {
		t.Errorf("only %d distinct versions in 50 rewrites of the same data and expiry", len(seen))
	}
}

func TestDjangoTextForms(t *testing.T) {
	whole := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
	frac := whole.Add(5 * time.Microsecond)
	local := frac.In(time.FixedZone("X", 3600))
	cases := []struct {
		d    dialect
		t    time.Time
		want string
	}{
		{sqliteDialect{}, whole, "2023-11-14 22:13:20"},
		{sqliteDialect{}, local, "2023-11-14 22:13:20.000005"},
		{postgresDialect{}, whole, "2023-11-14 22:13:20.000000"},
		{mysqlDialect{}, local, "2023-11-14 22:13:20.000005"},
	}
	for _, c := range cases {
		if got := c.d.djangoText(c.t); got != c.want {
			t.Errorf("%T.djangoText(%v) = %q, want %q", c.d, c.t, got, c.want)
		}
		back, err := parseDjangoExpiry(c.want)
		if err != nil || !back.Equal(c.t) {
			t.Errorf("parseDjangoExpiry(%q) = %v, %v", c.want, back, err)
		}
	}
}

func TestServerErrorClassification(t *testing.T) {
	pg := postgresDialect{}
	s := &Store{d: pg}
	pgErr := func(code string) error { return fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: code}) }
	_, connectErr := pgconn.Connect(context.Background(), "postgres://u@127.0.0.1:1/db?connect_timeout=2")
	var ce *pgconn.ConnectError
	if !errors.As(connectErr, &ce) {
		t.Fatalf("connecting to a closed port: %v, want a *pgconn.ConnectError", connectErr)
	}
	for _, err := range []error{pgErr("08006"), pgErr("57P01"), pgErr("53300"), pgconn.ErrConnClosed,
		connectErr, &net.OpError{Op: "read", Err: errors.New("reset")}, io.ErrUnexpectedEOF, driver.ErrBadConn} {
		if !s.unavailable(err) {
			t.Errorf("postgres: %v not unavailable", err)
		}
	}
	for _, err := range []error{pgErr("23505"), pgErr("42P01"), pgErr("22P02"), context.Canceled} {
		if s.unavailable(err) {
			t.Errorf("postgres: %v unavailable", err)
		}
	}
	if !pg.isUniqueViolation(pgErr("23505")) || pg.isUniqueViolation(pgErr("23503")) {
		t.Error("postgres unique violation")
	}
	if !pg.isAlreadyExists(pgErr("42P07")) || !pg.isAlreadyExists(pgErr("23505")) || pg.isAlreadyExists(pgErr("42P01")) {
		t.Error("postgres already exists")
	}
	if !pg.isRetryable(pgErr("40P01")) || pg.isRetryable(pgErr("23505")) {
		t.Error("postgres retryable")
	}

	my := mysqlDialect{}
	s = &Store{d: my}
	myErr := func(n uint16) error { return fmt.Errorf("wrapped: %w", &mysql.MySQLError{Number: n}) }
	for _, err := range []error{myErr(1040), myErr(1053), myErr(1927), myErr(1290), mysql.ErrInvalidConn, driver.ErrBadConn,
		&net.OpError{Op: "dial", Err: errors.New("refused")}} {
		if !s.unavailable(err) {
			t.Errorf("mysql: %v not unavailable", err)
		}
	}
	// A deadlock (1213) is contention, not an outage.
	for _, err := range []error{myErr(1062), myErr(1146), myErr(1064), myErr(1213), context.Canceled} {
		if s.unavailable(err) {
			t.Errorf("mysql: %v unavailable", err)
		}
	}
	if !my.isUniqueViolation(myErr(1062)) || my.isUniqueViolation(myErr(1452)) {
		t.Error("mysql unique violation")
	}
	if !my.isAlreadyExists(myErr(1050)) || !my.isAlreadyExists(myErr(1061)) || my.isAlreadyExists(myErr(1062)) {
		t.Error("mysql already exists")
	}
	if !my.isRetryable(myErr(1213)) || my.isRetryable(myErr(1205)) {
		t.Error("mysql retryable")
	}
}

// TestStatementsCompile builds the statements of every dialect and mode:
// compile panics when a statement has more or fewer placeholders than
// parameters.
func TestStatementsCompile(t *testing.T) {
	for name, d := range dialects {
		for _, django := range []bool{false, true} {
			cols := tetherColumns(d)
			if django {
				cols = djangoColumns(d)
			}
			qs := buildQueries(d, table{"s", "t"}, cols, django)
			for i, q := range qs {
				if name == Postgres && strings.Contains(q.sql, "?") {
					t.Errorf("%s statement %d has a '?': %s", name, i, q.sql)
				}
				if q.sql == "" {
					t.Errorf("%s django=%v: statement %d is empty", name, django, i)
				}
			}
		}
	}
}
