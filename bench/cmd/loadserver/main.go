// Command loadserver serves one session library's handlers on loopback, for
// load runs with wrk:
//
//	GET  /read    reads the string "user" from the session
//	POST /incr    adds one to the counter "n" in the session
//	GET  /count   reads "n" (after a run: compare with wrk's request count)
//	POST /create  stores "user" in a new session
//
// At start it creates a session and writes its Cookie header value
// ("sessionid=...") to stdout and, with -cookie-file, to that file, so that
// wrk can present it with -H "Cookie: ...". It listens on 127.0.0.1 only.
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
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tetherweb/tether/bench/apps"
)

func main() {
	libs := append(append([]string{"tether", "scs", "gorilla"}, apps.Names...), apps.RedisNames...)
	lib := flag.String("lib", "tether", "library: tether (memstore), scs (memstore), gorilla (CookieStore), or one of "+strings.Join(append(apps.Names, apps.RedisNames...), ", "))
	port := flag.Int("port", 8080, "port on 127.0.0.1")
	cookieFile := flag.String("cookie-file", "", "also write the seeded session's Cookie header value to this file")
	redisAddr := flag.String("redis", "127.0.0.1:6379", "Redis address for the -redis variants")
	stopAfter := flag.Duration("stop-after", 0, "exit after this long (0: on SIGINT or SIGTERM)")
	flag.Parse()

	name := map[string]string{"tether": "tether-mem", "scs": "scs-mem", "gorilla": "gorilla-cookie"}[*lib]
	if name == "" {
		name = *lib
	}
	dir := ""
	if name == "gorilla-fs" {
		d, err := os.MkdirTemp("", "loadserver-gorilla-fs-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	app, err := apps.New(name, apps.Config{}, dir, *redisAddr, apps.RandomPrefix("loadserver"))
	if err != nil {
		log.Fatalf("%v (known: %s)", err, strings.Join(libs, ", "))
	}
	defer app.Close()

	cookie, err := apps.Seed(app)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cookie)
	if *cookieFile != "" {
		if err := os.WriteFile(*cookieFile, []byte(cookie), 0o600); err != nil {
			log.Fatal(err)
		}
	}

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(*port))
	srv := &http.Server{
		Addr:              addr,
		Handler:           app.Routes(),
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
	log.Printf("%s on http://%s", app.Name, addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Print(err)
		return
	}
	<-done // in-flight requests finished; now app.Close may run
}
