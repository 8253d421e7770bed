package sqlstore_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/signing"
	"github.com/tetherweb/tether/store/sqlstore"
)

// The key and clock of the worked examples of the Django reference
// (django-formats.md), and the row Django 3.2 wrote with them for
// {"cart":[1,2,3],"name":"Zoë"} (§2.3).
const (
	djangoSecret = "interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
	djangoClock  = 1700000000
	djangoBlob   = "eyJjYXJ0IjpbMSwyLDNdLCJuYW1lIjoiWm9cdTAwZWIifQ:1r31eq:k1Xwxmw-I3F-mfAv3pomXDCK5DxBwqIOejI1kz57sy8"
)

// djangoBackends are the databases of the Django-mode tests.
var djangoBackends = []struct {
	name string
	open opener
}{
	{"sqlite", openSQLite},
	{"postgres", openPostgres},
	{"mysql", openMySQL},
}

// TestDjangoRows checks Django mode against Django's own row format on
// each database: a row written as Django writes it is read through a
// Manager, and a row written through a Manager has Django's formats.
func TestDjangoRows(t *testing.T) {
	for _, b := range djangoBackends {
		t.Run(b.name, func(t *testing.T) {
			s := djangoOn(b.open)(t)
			t.Run("ReadDjangoRow", func(t *testing.T) { testReadDjangoRow(t, s) })
			t.Run("WriteDjangoRow", func(t *testing.T) { testWriteDjangoRow(t, s) })
			t.Run("Schema", func(t *testing.T) { testDjangoSchema(t, s) })
		})
	}
}

func djangoCodec(t *testing.T, opts ...signing.Option) *session.DjangoCodec {
	t.Helper()
	c, err := session.NewDjangoCodec([]byte(djangoSecret), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// insertDjangoRow inserts a row as Django's db backend would: the key as
// is, the signed blob, and expire_date in the database's form (§2.2).
func insertDjangoRow(t *testing.T, s *sqlstore.Store, key, data string, expire time.Time) {
	t.Helper()
	expire = expire.UTC()
	var (
		q   string
		arg any
	)
	switch s.Dialect() {
	case sqlstore.SQLite:
		// Python's str(datetime): no T, no zone, a fraction only when
		// there are microseconds.
		text := expire.Format(time.DateTime)
		if expire.Nanosecond() != 0 {
			text = expire.Format("2006-01-02 15:04:05.000000")
		}
		q, arg = `INSERT INTO "`+s.Table()+`" (session_key, session_data, expire_date) VALUES (?, ?, ?)`, text
	case sqlstore.Postgres:
		q, arg = `INSERT INTO "`+s.Table()+`" (session_key, session_data, expire_date) VALUES ($1, $2, $3)`, expire
	case sqlstore.MySQL:
		q, arg = "INSERT INTO `"+s.Table()+"` (session_key, session_data, expire_date) VALUES (?, ?, ?)", expire.Format("2006-01-02 15:04:05.000000")
	}
	if _, err := s.DB().Exec(q, key, data, arg); err != nil {
		t.Fatalf("inserting Django's row: %v", err)
	}
}

// djangoApp serves a Manager over s with Django's codec: /show prints the
// name and the cart, /set stores them, /flush logs out.
func djangoApp(t *testing.T, s *sqlstore.Store) *httptest.Server {
	t.Helper()
	m := &session.Manager{
		Store:  s,
		Codec:  djangoCodec(t),
		Logger: slog.New(slog.DiscardHandler),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/show", func(w http.ResponseWriter, r *http.Request) {
		sess := session.From(r)
		name, _ := session.Value[string](sess, "name")
		cart, _ := session.Value[[]int](sess, "cart")
		fmt.Fprintf(w, "%s %v", name, cart)
	})
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		sess := session.From(r)
		sess.Set("name", r.URL.Query().Get("name"))
		sess.Set("cart", []int{4, 5})
	})
	srv := httptest.NewServer(m.Middleware(mux))
	t.Cleanup(srv.Close)
	return srv
}

// request sends method path to srv with the session cookie (if any) and
// returns the status, the body and the session cookie the response sets.
func request(t *testing.T, srv *httptest.Server, method, path, cookie string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "sessionid", Value: cookie})
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	set := ""
	for _, c := range resp.Cookies() {
		if c.Name == "sessionid" {
			set = c.Value
		}
	}
	return resp.StatusCode, string(body), set
}

func testReadDjangoRow(t *testing.T, s *sqlstore.Store) {
	// Django's codec output, byte for byte.
	codec := djangoCodec(t, signing.WithClock(func() time.Time { return time.Unix(djangoClock, 0) }))
	cart, _ := codec.EncodeValue([]int{1, 2, 3})
	name, _ := codec.EncodeValue("Zoë")
	blob, err := codec.Encode(map[string][]byte{"cart": cart, "name": name})
	if err != nil || string(blob) != djangoBlob {
		t.Fatalf("DjangoCodec gives %q, %v; Django wrote %q", blob, err, djangoBlob)
	}

	srv := djangoApp(t, s)
	// A whole-second expiry (SQLite: no fraction) and one with
	// microseconds.
	for _, expire := range []time.Time{
		time.Now().Add(time.Hour).Truncate(time.Second),
		time.Now().Add(time.Hour).Truncate(time.Second).Add(123456 * time.Microsecond),
	} {
		key := session.NewKey()
		insertDjangoRow(t, s, key, djangoBlob, expire)
		rec, err := s.Load(context.Background(), key)
		if err != nil {
			t.Fatalf("Load of Django's row: %v", err)
		}
		if string(rec.Data) != djangoBlob || !rec.Expiry.Equal(expire) {
			t.Errorf("Load of Django's row = %q expiring %v, want %v", rec.Data, rec.Expiry, expire)
		}
		code, body, _ := request(t, srv, "GET", "/show", key)
		if code != 200 || body != "Zoë [1 2 3]" {
			t.Errorf("Django's session read through a Manager: %d %q", code, body)
		}
		// An update through the Manager keeps the row Django's.
		if code, _, set := request(t, srv, "POST", "/set?name=ada", key); code != 200 || set != key {
			t.Fatalf("update of Django's session: %d, cookie %q (want the same key)", code, set)
		}
		if code, body, _ := request(t, srv, "GET", "/show", key); code != 200 || body != "ada [4 5]" {
			t.Errorf("after the update: %d %q", code, body)
		}
	}

	// An expired Django row is never loaded: the client gets a new
	// session.
	key := session.NewKey()
	insertDjangoRow(t, s, key, djangoBlob, time.Now().Add(-time.Second))
	if code, body, _ := request(t, srv, "GET", "/show", key); code != 200 || body != " []" {
		t.Errorf("expired Django row: %d %q, want an empty session", code, body)
	}
}

var (
	signedBlob  = regexp.MustCompile(`^\.?[A-Za-z0-9_-]+:[A-Za-z0-9]+:[A-Za-z0-9_-]{43}$`)
	pythonTime  = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$`)
	mysqlTime   = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$`)
	keyAlphabet = regexp.MustCompile(`^[a-z0-9]{32}$`)
)

func testWriteDjangoRow(t *testing.T, s *sqlstore.Store) {
	srv := djangoApp(t, s)
	before := time.Now()
	code, _, key := request(t, srv, "POST", "/set?name=grace", "")
	if code != 200 || !keyAlphabet.MatchString(key) {
		t.Fatalf("POST /set: %d, cookie %q", code, key)
	}
	wantExpiry := before.Add(session.DefaultMaxAge)

	var data, expireText string
	var expire time.Time
	db, table := s.DB(), s.Table()
	switch s.Dialect() {
	case sqlstore.SQLite:
		var typ string
		err := db.QueryRow(`SELECT session_data, typeof(expire_date), CAST(expire_date AS TEXT) FROM "`+table+`" WHERE session_key = ?`, key).Scan(&data, &typ, &expireText)
		if err != nil {
			t.Fatal(err)
		}
		if typ != "text" || !pythonTime.MatchString(expireText) {
			t.Errorf("SQLite expire_date is %s %q, want Django's text YYYY-MM-DD HH:MM:SS[.ffffff]", typ, expireText)
		}
		expire, _ = time.Parse("2006-01-02 15:04:05.999999", expireText)
	case sqlstore.Postgres:
		var typ string
		err := db.QueryRow(`SELECT session_data, pg_typeof(expire_date)::text, expire_date FROM "`+table+`" WHERE session_key = $1`, key).Scan(&data, &typ, &expire)
		if err != nil {
			t.Fatal(err)
		}
		if typ != "timestamp with time zone" {
			t.Errorf("PostgreSQL expire_date is a %s", typ)
		}
	case sqlstore.MySQL:
		err := db.QueryRow("SELECT session_data, CAST(expire_date AS CHAR) FROM `"+table+"` WHERE session_key = ?", key).Scan(&data, &expireText)
		if err != nil {
			t.Fatal(err)
		}
		if !mysqlTime.MatchString(expireText) {
			t.Errorf("MySQL expire_date %q", expireText)
		}
		// Naive UTC.
		expire, _ = time.Parse("2006-01-02 15:04:05.999999", expireText)
	}
	if d := expire.Sub(wantExpiry); d < -time.Second || d > time.Minute {
		t.Errorf("expire_date %v (%q), want about %v in UTC", expire, expireText, wantExpiry.UTC())
	}
	if !signedBlob.MatchString(data) {
		t.Errorf("session_data %q is not Django's signed blob", data)
	}
	values, err := djangoCodec(t).Decode([]byte(data))
	if err != nil || string(values["name"]) != `"grace"` || string(values["cart"]) != "[4,5]" {
		t.Errorf("session_data decodes to %q, %v", values, err)
	}
}

// testDjangoSchema: Migrate made Django's columns and expiry index.
func testDjangoSchema(t *testing.T, s *sqlstore.Store) {
	db, table := s.DB(), s.Table()
	var got []string
	switch s.Dialect() {
	case sqlstore.SQLite:
		rows, err := db.Query(`SELECT name || ' ' || type || ' ' || "notnull" || ' ' || pk FROM pragma_table_info(?) ORDER BY cid`, table)
		if err != nil {
			t.Fatal(err)
		}
		got = scanStrings(t, rows)
		want := []string{"session_key varchar(40) 1 1", "session_data text 1 0", "expire_date datetime 1 0"}
		// SQLite 3.37+ reports the standard type names in capitals.
		if !strings.EqualFold(strings.Join(got, ", "), strings.Join(want, ", ")) {
			t.Errorf("columns %q, want %q", got, want)
		}
		rows, err = db.Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`, table)
		if err != nil {
			t.Fatal(err)
		}
		got = scanStrings(t, rows)
	case sqlstore.Postgres:
		rows, err := db.Query(`SELECT column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '') || ' ' || is_nullable
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
		if err != nil {
			t.Fatal(err)
		}
		got = scanStrings(t, rows)
		want := []string{"session_key character varying(40) NO", "session_data text NO", "expire_date timestamp with time zone NO"}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("columns %q, want %q", got, want)
		}
		rows, err = db.Query(`SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1 AND indexname NOT LIKE '%_pkey'`, table)
		if err != nil {
			t.Fatal(err)
		}
		got = scanStrings(t, rows)
	case sqlstore.MySQL:
		rows, err := db.Query(`SELECT CONCAT(column_name, ' ', column_type, ' ', is_nullable, ' ', column_key)
			FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position`, table)
		if err != nil {
			t.Fatal(err)
		}
		got = scanStrings(t, rows)
		want := []string{"session_key varchar(40) NO PRI", "session_data longtext NO ", "expire_date datetime(6) NO MUL"}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("columns %q, want %q", got, want)
		}
		rows, err = db.Query(`SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND index_name <> 'PRIMARY'`, table)
		if err != nil {
			t.Fatal(err)
		}
		got = scanStrings(t, rows)
	}
	// Django's index names: <table>_<column>_<8 hex digits>[_like].
	expiryIdx := regexp.MustCompile(`^` + table + `_expire_date_[0-9a-f]{8}$`)
	likeIdx := regexp.MustCompile(`^` + table + `_session_key_[0-9a-f]{8}_like$`)
	var sawExpiry, sawLike bool
	for _, name := range got {
		sawExpiry = sawExpiry || expiryIdx.MatchString(name)
		sawLike = sawLike || likeIdx.MatchString(name)
	}
	if !sawExpiry || sawLike != (s.Dialect() == sqlstore.Postgres) || len(got) != 1+btoi(sawLike) {
		t.Errorf("indexes %q: want Django's expire_date index (and the _like one on PostgreSQL)", got)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func scanStrings(t *testing.T, rows interface {
	Next() bool
	Scan(...any) error
	Close() error
	Err() error
}) []string {
	t.Helper()
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
