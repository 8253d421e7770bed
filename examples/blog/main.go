// Command blog is tether's demo site: a small blog and shop on
// html/template that wires every part of tether together the way a real
// app would — sessions in SQLite (or any store), flash messages, CSRF
// protection with the tutorial's fetch example, security headers, a guest
// cart that survives login, and the "visited" cookie counter.
//
//	go run ./examples/blog                 # http://localhost:8000, everything in blog.db
//	go run ./examples/blog -store memory:  # nothing on disk but the posts
//	go run ./examples/blog -store redis://localhost:6379/0 -addr :8001
//
// Log in with the demo account demo / demo.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/tetherweb/tether/store/dsn"
)

func main() {
	addr := flag.String("addr", "localhost:8000", "address to listen on")
	storeDSN := flag.String("store", "sqlite:blog.db", "session store DSN (memory:, file:DIR, sqlite:PATH, postgres://…, mysql://…, redis://…, redis-cluster://…, memcached://…, cookie:, tiered:CACHE+DB)")
	msgs := flag.String("messages", "fallback", "where flash messages are kept: fallback (cookie, overflow into the session), session or cookie")
	secretKey := flag.String("secret-key", "", "secret key (default: $TETHER_SECRET_KEY, else one generated once and kept in blog.secret beside the database)")
	secure := flag.Bool("secure", false, "mark cookies Secure (serve over HTTPS)")
	trusted := flag.String("trusted-proxies", "", "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-Proto/Host/For are believed (e.g. 127.0.0.1 behind a local TLS proxy)")
	hosts := flag.String("allowed-hosts", "", "comma-separated host names served (.example.com for subdomains); other Host headers get 400 (default: no check)")
	django := flag.Bool("django", false, "Django-compatible formats: sessions in django_session (SQL stores), Django's messages cookie and CSRF cookie")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, options{Addr: *addr, Store: *storeDSN, Messages: *msgs, SecretKey: *secretKey, Secure: *secure, Django: *django,
		TrustedProxies: list(*trusted), AllowedHosts: list(*hosts)}, func(addr string) {
		fmt.Printf("tether demo on http://%s (sessions: %s; log in as demo / demo)\n", addr, *storeDSN)
		if *secure {
			fmt.Println("cookies are Secure: serve the demo over HTTPS (a TLS proxy in front); over plain HTTP browsers keep them only from localhost")
		}
	})
	if err != nil {
		slog.Error("blog", "error", err)
		os.Exit(1)
	}
}

// options are main's flags.
type options struct {
	Addr, Store, Messages, SecretKey string
	Secure, Django                   bool
	TrustedProxies, AllowedHosts     []string
	Limits                           limits // zero: defaultLimits
}

// limits bound what one client may hold of the server: how long it may
// take to send the headers and the body, how long the answer may take,
// how long an idle keep-alive connection stays, and how large the headers
// may be. Without them a client that announces a body and never sends it
// keeps a connection (and a goroutine) forever, and delays shutdown.
type limits struct {
	ReadHeader, Read, Write, Idle time.Duration
	MaxHeaderBytes                int
}

// defaultLimits suit the demo's pages: the largest request is a 100 KB
// post, which any client sends in well under 15 s; 64 KiB of headers is
// room for the cookies of a busy site (the browsers' own limit is about
// 4 KB per cookie).
var defaultLimits = limits{
	ReadHeader:     5 * time.Second,
	Read:           15 * time.Second,
	Write:          30 * time.Second,
	Idle:           120 * time.Second,
	MaxHeaderBytes: 64 << 10,
}

// newServer is an http.Server for h with l (defaultLimits when zero).
func newServer(h http.Handler, l limits) *http.Server {
	if l == (limits{}) {
		l = defaultLimits
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeader,
		ReadTimeout:       l.Read,
		WriteTimeout:      l.Write,
		IdleTimeout:       l.Idle,
		MaxHeaderBytes:    l.MaxHeaderBytes,
	}
}

// list splits a comma-separated flag value, dropping empty items.
func list(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// dataPath is the SQLite file for the posts and the catalogue: the session
// database itself when the sessions are in SQLite, else blog.db.
func dataPath(storeDSN string) string {
	if p, ok := strings.CutPrefix(storeDSN, "sqlite:"); ok {
		p, _, _ = strings.Cut(p, "?")
		if p != "" {
			return p
		}
	}
	return "blog.db"
}

// run serves the demo until ctx ends, then shuts down gracefully. ready
// gets the listening address.
func run(ctx context.Context, o options, ready func(addr string)) error {
	path := dataPath(o.Store)
	key, err := loadSecretKey(o.SecretKey, filepath.Join(filepath.Dir(path), "blog.secret"))
	if err != nil {
		return err
	}
	storeDSN := o.Store
	if o.Django {
		if storeDSN, err = djangoDSN(storeDSN); err != nil {
			return err
		}
	}
	store, err := dsn.Open(storeDSN, dsn.Options{SecretKey: key})
	if err != nil {
		return err
	}
	defer store.Close()
	data, err := openDB(path)
	if err != nil {
		return err
	}
	defer data.close()
	if err := data.migrate(ctx); err != nil {
		return err
	}
	app, err := newApp(store, data, config{SecretKey: key, Secure: o.Secure, Messages: o.Messages, Django: o.Django,
		TrustedProxies: o.TrustedProxies, AllowedHosts: o.AllowedHosts})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	srv := newServer(app, o.Limits)
	ready(ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		// Requests still running after the grace period are cut off:
		// a stopped server is what was asked for.
		srv.Close()
		slog.Warn("blog: requests still running after 10 s were cut off", logError(err))
	}
	fmt.Println("stopped")
	return nil
}

// sqlSchemes are the DSN schemes of the stores that can hold Django's
// session table.
var sqlSchemes = []string{"sqlite:", "postgres://", "postgresql://", "mysql://"}

// djangoDSN points a SQL store DSN at Django's table (unless it names a
// table already). In a tiered DSN (tiered:CACHE+DATABASE) the parameter
// goes to the database part. Stores that cannot hold Django's table are
// an error that says so.
func djangoDSN(storeDSN string) (string, error) {
	prefix, db := "", storeDSN
	if rest, ok := strings.CutPrefix(storeDSN, "tiered:"); ok {
		cut := -1
		for _, s := range sqlSchemes {
			cut = max(cut, strings.LastIndex(rest, "+"+s))
		}
		if cut < 0 {
			return "", fmt.Errorf("blog: -django needs a SQL database behind the cache (tiered:CACHE+sqlite:PATH, +postgres://… or +mysql://…), not %q", storeDSN)
		}
		prefix, db = "tiered:"+rest[:cut+1], rest[cut+1:]
	}
	if !slices.ContainsFunc(sqlSchemes, func(s string) bool { return strings.HasPrefix(db, s) }) {
		return "", fmt.Errorf("blog: -django keeps the sessions in Django's django_session table: it needs a SQL store (sqlite:PATH, postgres://…, mysql://… or tiered:CACHE+one of them), not %q", storeDSN)
	}
	if _, query, _ := strings.Cut(db, "?"); query != "" {
		if q, err := url.ParseQuery(query); err == nil && q.Has("table") {
			return storeDSN, nil // newApp checks that it is Django's table
		}
		return prefix + db + "&table=django_session", nil
	}
	return prefix + db + "?table=django_session", nil
}
