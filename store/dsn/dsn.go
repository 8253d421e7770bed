// Package dsn opens a session store from a one-line description (a DSN),
// as the demo's -store and the tether command's --store flags take it.
// Each store package registers its own schemes when it is imported, as
// database/sql drivers do, so a program links only the stores it
// imports:
//
//	memory:                             an in-process map (lost on exit)              store/memstore
//	file:DIR                            one file per session in DIR (created 0700)    store/filestore
//	sqlite:PATH                         a SQLite database file                        store/sqlstore/sqlite
//	postgres://user:pass@host:5432/db?… PostgreSQL (also postgresql://), any pgx URL  store/sqlstore/postgres
//	mysql://user:pass@host:3306/db?…    MySQL or MariaDB                              store/sqlstore/mysql
//	redis://[user:pass@]host:6379/0     Redis (go-redis URL; ?prefix=P: key prefix)   store/redisstore
//	redis-cluster://h1:p1,h2:p2,…       Redis Cluster                                 store/redisstore
//	memcached://host:11211[,host:port]  memcached                                     store/memcachestore
//	cookie:                             the session in an encrypted cookie            store/cookiestore
//	                                    (needs Options.SecretKey)
//	tiered:CACHE+DATABASE               a cache DSN in front of a database DSN,       store/tieredstore
//	                                    e.g. tiered:redis://127.0.0.1:6379/0+sqlite:app.db
//
// Import the ones a program accepts, for their side effect:
//
//	import (
//		"github.com/tetherweb/tether/store/dsn"
//		_ "github.com/tetherweb/tether/store/memstore"
//		_ "github.com/tetherweb/tether/store/sqlstore/postgres"
//	)
//
// A query string selects options of the SQL stores: "?table=NAME" names
// the table, and "?table=django_session" (or "SCHEMA.django_session")
// selects Django's session table (sqlstore.WithDjangoTable), created with
// Django's DDL on first use if it is missing. The table parameter is
// removed before the rest of the URL goes to the driver: for postgres://,
// every other parameter is pgx's (sslmode, connect_timeout, …); for
// mysql://, the URL becomes go-sql-driver/mysql's
// "user:pass@tcp(host:port)/db?…" with the other parameters as they are
// (timeout, tls, …).
//
// A store on Django's table holds Django's session format: the
// session.Manager using it must be given session.NewDjangoCodec with the
// Django app's SECRET_KEY. Open cannot configure the codec; it reports
// the mode in [Opened.Django].
//
// Opening makes no connection: the network and SQL stores connect on
// first use.
package dsn

import (
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/tetherweb/tether/session"
)

// Opened is an opened store and what releases it. Exactly one of Store
// (server records) and Cookie (the session in the cookie) is set;
// Configure gives it to a Manager.
type Opened struct {
	session.Store
	// Cookie is set instead of Store for the cookie: DSN.
	Cookie session.CookieStore
	// Django reports that the store keeps Django's session table
	// ("?table=django_session"): the session.Manager must then encode its
	// records with session.NewDjangoCodec.
	Django bool
	// Release is what Close calls: it closes the store's database or
	// client. Nil when there is nothing to release.
	Release func() error
}

// Configure sets m's Store or CookieStore to the opened store.
func (o *Opened) Configure(m *session.Manager) {
	if o.Cookie != nil {
		m.CookieStore = o.Cookie
		return
	}
	m.Store = o.Store
}

// Close releases the store's resources.
func (o *Opened) Close() error {
	if o.Release == nil {
		return nil
	}
	return o.Release()
}

// Options give Open what a DSN cannot hold.
type Options struct {
	// SecretKey seals the sessions of the cookie: store.
	SecretKey []byte
	// Logger receives the tiered store's cache failures (nil: slog.Default()).
	Logger *slog.Logger
}

// An Opener opens the store a DSN of its scheme describes. It gets the
// whole DSN, scheme included, and the caller's options.
type Opener func(dsn string, o Options) (*Opened, error)

var registry struct {
	sync.RWMutex
	openers map[string]Opener
}

// Register makes the scheme (the part of a DSN before its first ':',
// e.g. "postgres") open with open. It is meant for the init function of a
// store package, and panics when the scheme is empty or holds a ':', when
// open is nil, or when the scheme is registered already, as
// database/sql's Register does.
func Register(scheme string, open Opener) {
	if scheme == "" || strings.ContainsAny(scheme, ":/?") {
		panic(fmt.Sprintf("dsn: Register of a bad scheme %q", scheme))
	}
	if open == nil {
		panic("dsn: Register of a nil Opener for " + scheme)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.openers[scheme]; dup {
		panic("dsn: Register called twice for scheme " + scheme)
	}
	if registry.openers == nil {
		registry.openers = make(map[string]Opener)
	}
	registry.openers[scheme] = open
}

// Schemes returns the registered schemes, sorted.
func Schemes() []string {
	registry.RLock()
	defer registry.RUnlock()
	s := make([]string, 0, len(registry.openers))
	for k := range registry.openers {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// Registered reports whether scheme has an Opener.
func Registered(scheme string) bool {
	registry.RLock()
	defer registry.RUnlock()
	_, ok := registry.openers[scheme]
	return ok
}

// maxQuoted bounds the DSN quoted in an error.
const maxQuoted = 64

// quoted is s quoted for an error message, cut to maxQuoted bytes.
func quoted(s string) string {
	if len(s) > maxQuoted {
		return fmt.Sprintf("%q…", s[:maxQuoted])
	}
	return fmt.Sprintf("%q", s)
}

// Open opens the store that dsn describes, with the Opener registered for
// its scheme. An unknown scheme is an error that lists the registered
// ones.
func Open(dsn string, o Options) (*Opened, error) {
	scheme, _, ok := strings.Cut(dsn, ":")
	if !ok {
		return nil, fmt.Errorf("dsn: %s has no scheme (want one of %s)", quoted(dsn), schemeList())
	}
	registry.RLock()
	open := registry.openers[scheme]
	registry.RUnlock()
	if open == nil {
		return nil, fmt.Errorf("dsn: unknown store %s (registered: %s; a store package registers its schemes when imported)",
			quoted(scheme+":"), schemeList())
	}
	return open(dsn, o)
}

// schemeList is the registered schemes for an error message.
func schemeList() string {
	s := Schemes()
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// SplitQuery splits an opaque DSN, "scheme:TARGET?QUERY" (sqlite:PATH,
// file:DIR, memory:), into its target and its query parameters (the
// query starts at the last '?').
func SplitQuery(dsn string) (target string, query url.Values, err error) {
	_, rest, _ := strings.Cut(dsn, ":")
	i := strings.LastIndex(rest, "?")
	if i < 0 {
		return rest, url.Values{}, nil
	}
	q, err := url.ParseQuery(rest[i+1:])
	if err != nil {
		return "", nil, fmt.Errorf("dsn: %s: bad options: %w", quoted(dsn), err)
	}
	return rest[:i], q, nil
}
