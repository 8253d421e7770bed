// Command blog is tether's demo site. This first version shows sessions:
// a per-visitor counter kept in the session, the tutorial's "visited"
// cookie counter, and a guest cart. The full demo (posts, messages, login,
// CSRF) grows here as the library does.
//
//	go run ./examples/blog            # http://localhost:8000, sessions in blog.db
//	go run ./examples/blog -store memory:
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tetherweb/tether/internal/dsn"
	"github.com/tetherweb/tether/session"
)

func main() {
	addr := flag.String("addr", "localhost:8000", "address to listen on")
	storeDSN := flag.String("store", "sqlite:blog.db", "session store DSN (memory:, file:DIR, sqlite:PATH, postgres://…, mysql://…, redis://…, memcached://…, cookie:, tiered:CACHE+DB)")
	secretKey := flag.String("secret-key", "", "secret key (default: $TETHER_SECRET_KEY, else one generated once and kept in blog.secret)")
	secure := flag.Bool("secure", false, "mark cookies Secure (serve over HTTPS)")
	django := flag.Bool("django", false, "keep sessions in Django's format and django_session table (SQL stores)")
	flag.Parse()
	if err := run(*addr, *storeDSN, *secretKey, *secure, *django); err != nil {
		slog.Error("blog", "error", err)
		os.Exit(1)
	}
}

func run(addr, storeDSN, secretKey string, secure, django bool) error {
	key, err := loadSecretKey(secretKey, "blog.secret")
	if err != nil {
		return err
	}
	if django && !strings.Contains(storeDSN, "table=") {
		storeDSN += sep(storeDSN) + "table=django_session"
	}
	store, err := dsn.OpenWith(storeDSN, dsn.Options{SecretKey: key})
	if err != nil {
		return err
	}
	defer store.Close()
	app, err := newApp(store, key, secure)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("tether demo on http://%s (sessions in %s)\n", ln.Addr(), storeDSN)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
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
		return err
	}
	fmt.Println("stopped")
	return nil
}

// sep is the character that adds a parameter to a DSN.
func sep(dsn string) string {
	if strings.Contains(dsn, "?") {
		return "&"
	}
	return "?"
}

// newApp wires the routes behind the session middleware.
func newApp(store *dsn.Store, secretKey []byte, secure bool) (http.Handler, error) {
	m := &session.Manager{Store: store.Store}
	m.Cookie.Secure = secure
	if store.Django {
		codec, err := session.NewDjangoCodec(secretKey)
		if err != nil {
			return nil, err
		}
		m.Codec = codec
	}
	a := &app{secure: secure}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.index)
	mux.HandleFunc("GET /visits", a.visits)
	mux.HandleFunc("POST /cart/add/{product_id}", a.cartAdd)
	mux.HandleFunc("GET /cart", a.cart)
	mux.HandleFunc("GET /api/cart", a.apiCart)
	return m.Middleware(mux), nil
}
