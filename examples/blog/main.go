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
	"syscall"
	"time"

	"github.com/tetherweb/tether/internal/dsn"
	"github.com/tetherweb/tether/session"
)

func main() {
	addr := flag.String("addr", "localhost:8000", "address to listen on")
	storeDSN := flag.String("store", "sqlite:blog.db", "session store DSN (memory:, file:DIR, sqlite:PATH)")
	secure := flag.Bool("secure", false, "mark cookies Secure (serve over HTTPS)")
	flag.Parse()
	if err := run(*addr, *storeDSN, *secure); err != nil {
		slog.Error("blog", "error", err)
		os.Exit(1)
	}
}

func run(addr, storeDSN string, secure bool) error {
	store, err := dsn.Open(storeDSN)
	if err != nil {
		return err
	}
	defer store.Close()
	app := newApp(store, secure)

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

// newApp wires the routes behind the session middleware.
func newApp(store session.Store, secure bool) http.Handler {
	m := &session.Manager{Store: store}
	m.Cookie.Secure = secure
	a := &app{secure: secure}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.index)
	mux.HandleFunc("GET /visits", a.visits)
	mux.HandleFunc("POST /cart/add/{product_id}", a.cartAdd)
	mux.HandleFunc("GET /cart", a.cart)
	mux.HandleFunc("GET /api/cart", a.apiCart)
	return m.Middleware(mux)
}
