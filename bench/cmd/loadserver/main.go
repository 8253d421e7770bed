// Command loadserver serves session libraries' handlers on loopback, for
// load runs with wrk:
//
//	GET  /read       reads the string "user" from the session
//	POST /incr       adds one to the counter "n" in the session
//	GET  /count      reads "n" (after a run: compare with wrk's request count)
//	POST /create     stores "user" in a new session
//	GET  /untouched  answers without looking at the session
//	GET  /page       /read with a Content-Type set first, as real pages do
//
// -lib names one App, or several separated by commas. Each is served under
// /NAME (/bare/read, /tether-mem/read, ...) by the same server, so that one
// run compares them under the same flags and conditions; a single App is
// also served at the root.
//
// At start it creates a session per App and writes its Cookie header value
// ("sessionid=...") to stdout; -cookie-file gets the first App's, and
// -cookie-dir a file per App named after it, so that wrk can present it
// with -H "Cookie: ...". It listens on 127.0.0.1 only. -cpuprofile writes
// a CPU profile of the whole run, -pprof serves net/http/pprof on a side
// port. GET /_allocs answers the process's heap allocations so far,
// "BYTES OBJECTS" (runtime/metrics), so that a script can divide the
// difference over a run by the requests served: unlike time, allocation is
// the same whatever else the machine runs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/metrics"
	rpprof "runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tetherweb/tether/bench/apps"
)

func main() {
	all := append(append(append([]string{}, apps.Names...), apps.RedisNames...), apps.PostgresNames...)
	lib := flag.String("lib", "tether", "library: tether (memstore), scs (memstore), gorilla (CookieStore), or one of "+strings.Join(all, ", ")+"; several separated by commas")
	port := flag.Int("port", 8080, "port on 127.0.0.1")
	cookieFile := flag.String("cookie-file", "", "also write the (first) seeded session's Cookie header value to this file")
	cookieDir := flag.String("cookie-dir", "", "also write each App's Cookie header value to a file named after it in this directory")
	redisAddr := flag.String("redis", "127.0.0.1:6379", "Redis address for the -redis variants")
	pgDSN := flag.String("postgres", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL DSN for the -pg variants (a table per App, dropped at exit)")
	stopAfter := flag.Duration("stop-after", 0, "exit after this long (0: on SIGINT or SIGTERM)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	pprofAddr := flag.String("pprof", "", "serve net/http/pprof on this address (127.0.0.1:PORT)")
	flag.Parse()

	aliases := map[string]string{"tether": "tether-mem", "scs": "scs-mem", "gorilla": "gorilla-cookie"}
	var names []string
	for n := range strings.SplitSeq(*lib, ",") {
		if a, ok := aliases[n]; ok {
			n = a
		}
		names = append(names, n)
	}
	mux := http.NewServeMux()
	for i, name := range names {
		dir := ""
		if name == "gorilla-fs" {
			d, err := os.MkdirTemp("", "loadserver-gorilla-fs-")
			if err != nil {
				log.Fatal(err)
			}
			defer os.RemoveAll(d)
			dir = d
		}
		app, err := apps.New(name, apps.Config{Dir: dir, RedisAddr: *redisAddr, Prefix: apps.RandomPrefix("loadserver"), PostgresDSN: *pgDSN})
		if err != nil {
			log.Fatalf("%v (known: %s)", err, strings.Join(all, ", "))
		}
		defer app.Close()
		cookie, err := apps.Seed(app)
		if err != nil {
			log.Fatal(err)
		}
		app.Mount(mux, "/"+name)
		if len(names) == 1 {
			app.Mount(mux, "")
			fmt.Println(cookie)
		} else {
			fmt.Println(name, cookie)
		}
		if *cookieFile != "" && i == 0 {
			if err := os.WriteFile(*cookieFile, []byte(cookie), 0o600); err != nil {
				log.Fatal(err)
			}
		}
		if *cookieDir != "" {
			if err := os.WriteFile(filepath.Join(*cookieDir, name), []byte(cookie), 0o600); err != nil {
				log.Fatal(err)
			}
		}
	}
	mux.HandleFunc("GET /_allocs", func(w http.ResponseWriter, r *http.Request) {
		samples := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}, {Name: "/gc/heap/allocs:objects"}}
		metrics.Read(samples)
		fmt.Fprintf(w, "%d %d\n", samples[0].Value.Uint64(), samples[1].Value.Uint64())
	})
	if *pprofAddr != "" {
		side := http.NewServeMux()
		side.HandleFunc("/debug/pprof/", pprof.Index)
		side.HandleFunc("/debug/pprof/profile", pprof.Profile)
		go func() { log.Print(http.ListenAndServe(*pprofAddr, side)) }()
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := rpprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		defer rpprof.StopCPUProfile()
	}

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(*port))
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
	log.Printf("%s on http://%s", strings.Join(names, ", "), addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Print(err)
		return
	}
	<-done // in-flight requests finished; now the Apps may close
}
