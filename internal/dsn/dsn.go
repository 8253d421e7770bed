// Package dsn opens a session store from a one-line description, for the
// demo and the tether command:
//
//	memory:                             an in-process map (lost on exit)
//	file:DIR                            one file per session in DIR (created 0700 if missing)
//	sqlite:PATH                         a SQLite database file
//	postgres://user:pass@host:5432/db?… PostgreSQL (also postgresql://), any pgx URL
//	mysql://user:pass@host:3306/db?…    MySQL or MariaDB
//	redis://[user:pass@]host:6379/0     Redis (go-redis URL; ?prefix=P sets the key prefix)
//	redis-cluster://h1:p1,h2:p2,…       Redis Cluster
//	memcached://host:11211[,host:port]  memcached
//	cookie:                             the session in an encrypted cookie (needs Options.SecretKey)
//	tiered:CACHE+DATABASE               a cache DSN in front of a database DSN,
//	                                    e.g. tiered:redis://127.0.0.1:6379/0+sqlite:app.db
//
// A query string selects options of the SQL stores: "?table=NAME" names
// the table, and "?table=django_session" (or "SCHEMA.django_session")
// selects Django's session table (sqlstore.DjangoTable), created with
// Django's DDL on first use if it is missing. The table parameter is
// removed before the rest of the URL goes to the driver: for postgres://,
// every other parameter is pgx's (sslmode, connect_timeout, …); for
// mysql://, the URL becomes go-sql-driver/mysql's
// "user:pass@tcp(host:port)/db?…" with the other parameters as they are
// (timeout, tls, …).
//
// A store on Django's table holds Django's session format: the
// session.Manager using it must be given session.NewDjangoCodec with the
// Django app's SECRET_KEY. Open cannot configure the Manager; it reports
// the mode in [Store.Django].
package dsn

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/cookiestore"
	"github.com/tetherweb/tether/store/filestore"
	"github.com/tetherweb/tether/store/memstore"
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/mysql"
	"github.com/tetherweb/tether/store/sqlstore/postgres"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
)

// Store is an opened store and the function that releases it. Exactly one
// of Store (server records) and Cookie (the session in the cookie) is set;
// Configure gives it to a Manager.
type Store struct {
	session.Store
	// Cookie is set instead of Store for the cookie: DSN.
	Cookie session.CookieStore
	// Django reports that the store keeps Django's session table
	// ("?table=django_session"): the session.Manager must then encode its
	// records with session.NewDjangoCodec.
	Django bool
	close  func() error
}

// Configure sets m's Store or CookieStore to the opened store.
func (s *Store) Configure(m *session.Manager) {
	if s.Cookie != nil {
		m.CookieStore = s.Cookie
		return
	}
	m.Store = s.Store
}

// Close releases the store's resources.
func (s *Store) Close() error {
	if s.close == nil {
		return nil
	}
	return s.close()
}

const schemes = "memory:, file:DIR, sqlite:PATH, postgres://…, mysql://…, redis://…, redis-cluster://…, memcached://…, cookie: or tiered:CACHE+DB"

// Options give Open what a DSN cannot hold.
type Options struct {
	// SecretKey seals the sessions of the cookie: store.
	SecretKey []byte
	// Logger receives the tiered store's cache failures (nil: slog.Default()).
	Logger *slog.Logger
}

// Open opens the store that dsn describes.
func Open(dsn string) (*Store, error) { return OpenWith(dsn, Options{}) }

// OpenWith opens the store that dsn describes, with options.
func OpenWith(dsn string, o Options) (*Store, error) {
	scheme, rest, ok := strings.Cut(dsn, ":")
	if !ok {
		return nil, fmt.Errorf("dsn: %q has no scheme (want %s)", dsn, schemes)
	}
	switch scheme {
	case "postgres", "postgresql":
		return openPostgres(dsn)
	case "mysql":
		return openMySQL(dsn)
	case "redis":
		return openRedis(dsn)
	case "redis-cluster":
		return openRedisCluster(dsn)
	case "memcached":
		return openMemcached(dsn)
	case "tiered":
		return openTiered(dsn, o)
	case "cookie":
		if len(o.SecretKey) == 0 {
			return nil, errors.New("dsn: cookie: needs a secret key")
		}
		s, err := cookiestore.NewEncrypted(o.SecretKey)
		if err != nil {
			return nil, err
		}
		return &Store{Cookie: s}, nil
	}
	target, query := rest, url.Values{}
	if i := strings.LastIndex(rest, "?"); i >= 0 {
		q, err := url.ParseQuery(rest[i+1:])
		if err != nil {
			return nil, fmt.Errorf("dsn: %q: bad options: %w", dsn, err)
		}
		target, query = rest[:i], q
	}
	switch scheme {
	case "memory":
		s := memstore.New()
		return &Store{Store: s, close: s.Close}, nil
	case "file":
		if target == "" {
			return nil, errors.New("dsn: file: needs a directory (file:DIR)")
		}
		s, err := filestore.New(target, filestore.WithCreateDir(true))
		if err != nil {
			return nil, err
		}
		return &Store{Store: s}, nil
	case "sqlite":
		if target == "" {
			return nil, errors.New("dsn: sqlite: needs a path (sqlite:PATH)")
		}
		opts, django := sqlOptions(query.Get("table"))
		s, err := sqlite.Open(target, opts...)
		if err != nil {
			return nil, err
		}
		return &Store{Store: s, Django: django, close: s.Close}, nil
	}
	return nil, fmt.Errorf("dsn: unknown store %q (want %s)", scheme+":", schemes)
}

// sqlOptions are the sqlstore options for the table parameter, and
// whether it names Django's table.
func sqlOptions(name string) ([]sqlstore.Option, bool) {
	if name == "" {
		return nil, false
	}
	opts := []sqlstore.Option{sqlstore.WithTable(name)}
	parts := strings.Split(name, ".")
	if parts[len(parts)-1] != sqlstore.DjangoTableName {
		return opts, false
	}
	// The demo and the CLI may start on an empty database: let the store
	// create Django's table (with Django's DDL) if it is missing.
	return append(opts, sqlstore.WithDjangoTable(), sqlstore.WithAutoMigrate(true)), true
}

// splitTable parses a URL DSN and removes its table parameter, keeping the
// other parameters exactly as written. It returns the URL, the table
// parameter and the remaining raw query.
func splitTable(dsn string) (*url.URL, string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, "", fmt.Errorf("dsn: bad URL: %w", err)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, "", fmt.Errorf("dsn: %s: bad options: %w", u.Redacted(), err)
	}
	var kept []string
	for _, p := range strings.Split(u.RawQuery, "&") {
		if p == "" {
			continue
		}
		if k, _, _ := strings.Cut(p, "="); k == "table" {
			continue
		}
		kept = append(kept, p)
	}
	u.RawQuery = strings.Join(kept, "&")
	return u, q.Get("table"), nil
}

// openPostgres opens a postgres:// or postgresql:// DSN with pgx.
func openPostgres(dsn string) (*Store, error) {
	u, name, err := splitTable(dsn)
	if err != nil {
		return nil, err
	}
	opts, django := sqlOptions(name)
	s, err := postgres.Open(u.String(), opts...)
	if err != nil {
		return nil, err
	}
	return &Store{Store: s, Django: django, close: s.Close}, nil
}

// openMySQL opens a mysql:// DSN with go-sql-driver/mysql.
func openMySQL(dsn string) (*Store, error) {
	u, name, err := splitTable(dsn)
	if err != nil {
		return nil, err
	}
	driverDSN, err := mysqlDSN(u)
	if err != nil {
		return nil, err
	}
	opts, django := sqlOptions(name)
	s, err := mysql.Open(driverDSN, opts...)
	if err != nil {
		return nil, err
	}
	return &Store{Store: s, Django: django, close: s.Close}, nil
}

// mysqlDSN turns mysql://user:pass@host:port/db?params into
// go-sql-driver/mysql's user:pass@tcp(host:port)/db?params (port 3306 by
// default). The driver takes the user and password as they are (it
// needs no escaping), so the URL's escapes are decoded.
func mysqlDSN(u *url.URL) (string, error) {
	if u.Host == "" {
		return "", fmt.Errorf("dsn: %s: needs a host (mysql://user:pass@host:port/db)", u.Redacted())
	}
	if u.Opaque != "" {
		return "", fmt.Errorf("dsn: %s: want mysql://user:pass@host:port/db", u.Redacted())
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "3306")
	}
	db := strings.TrimPrefix(u.Path, "/")
	if strings.Contains(db, "/") {
		return "", fmt.Errorf("dsn: %s: the path must be a database name", u.Redacted())
	}
	var b strings.Builder
	if u.User != nil {
		b.WriteString(u.User.Username())
		if p, ok := u.User.Password(); ok {
			b.WriteString(":" + p)
		}
		b.WriteString("@")
	}
	b.WriteString("tcp(" + host + ")/" + db)
	if u.RawQuery != "" {
		b.WriteString("?" + u.RawQuery)
	}
	return b.String(), nil
}
