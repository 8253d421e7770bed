// Command csrfserver serves one CSRF middleware's form application
// (package csrfapps, built for plain HTTP) on loopback, for load runs with
// wrk:
//
//	GET  /form   renders the form with the library's token
//	POST /form   reads the field "title" and answers "saved: " and it
//
// At start it seeds one client itself: a first GET of the form, as a
// browser makes it (Sec-Fetch-Site: none), served in process. It then
// writes the headers that client sends when it comes back, one
// "Name: value" a line, to stdout and, with -headers-file, to that file:
//
//	Cookie: sessionid=0123456789abcdef; <the library's cookie>; theme=dark
//	<the library's token header>: <the token of the page>
//	Origin: http://127.0.0.1:PORT
//	Sec-Fetch-Site: same-origin
//
// The header-only middlewares (tether-csrf-headeronly, stdlib-cop) have
// neither cookie nor token: their Cookie line holds the two other cookies
// only, and there is no token line. The two other cookies are those the
// benchmarks send too (csrf_bench_test.go), so that every library finds its
// own among others. A same-origin GET of the page (a navigation) sends the
// Cookie and Sec-Fetch-Site lines only; a POST by fetch sends them all.
//
// It listens on 127.0.0.1 only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tetherweb/tether/bench/csrfapps"
)

func main() {
	lib := flag.String("lib", "tether-csrf", "CSRF app: "+strings.Join(csrfapps.Names, ", "))
	port := flag.Int("port", 8080, "port on 127.0.0.1")
	headersFile := flag.String("headers-file", "", "also write the returning client's headers to this file")
	stopAfter := flag.Duration("stop-after", 0, "exit after this long (0: on SIGINT or SIGTERM)")
	flag.Parse()

	app, err := csrfapps.NewPlainHTTP(*lib)
	if err != nil {
		log.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(*port))
	origin := "http://" + addr

	client, err := csrfapps.SeedAt(app, origin+"/form")
	if err != nil {
		log.Fatal(err)
	}
	cookie := "sessionid=0123456789abcdef; theme=dark"
	if client.Cookie != "" {
		cookie = "sessionid=0123456789abcdef; " + client.Cookie + "; theme=dark"
	}
	lines := []string{"Cookie: " + cookie}
	if app.Tokens() {
		lines = append(lines, app.HeaderName+": "+client.Token)
	}
	lines = append(lines, "Origin: "+origin, "Sec-Fetch-Site: same-origin")
	headers := strings.Join(lines, "\n") + "\n"
	fmt.Print(headers)
	if *headersFile != "" {
		// Written whole, then renamed: a runner polling for the file
		// never reads half of it.
		tmp := filepath.Join(filepath.Dir(*headersFile), "."+filepath.Base(*headersFile)+".tmp")
		if err := os.WriteFile(tmp, []byte(headers), 0o600); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(tmp, *headersFile); err != nil {
			log.Fatal(err)
		}
	}

	mux := http.NewServeMux()
	mux.Handle("GET /form", app.Handler)
	mux.Handle("POST /form", app.Handler)
	srv := &http.Server{
		Addr:              addr,
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *stopAfter > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *stopAfter)
		defer cancel()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	log.Printf("%s on %s/form", app.Name, origin)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Print(err)
		return
	}
	<-done
}
