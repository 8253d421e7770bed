package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"syscall"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/dsn"
)

func init() {
	register("clearsessions", "delete expired sessions from a store, in batches", runClearSessions)
}

func runClearSessions(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("clearsessions", flag.ContinueOnError)
	fs.SetOutput(stderr)
	storeDSN := fs.String("store", "", "the store's DSN (file:DIR, sqlite:PATH, postgres://…, mysql://…, redis://…, …)")
	batch := fs.Int("batch", 1000, "records deleted per batch")
	if _, err := parseInterleaved(fs, args); err != nil {
		return 2
	}
	if *storeDSN == "" || *batch <= 0 {
		fmt.Fprintln(stderr, "tether clearsessions: --store DSN is required and --batch must be positive")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	s, err := dsn.Open(*storeDSN, dsn.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "tether clearsessions: %v\n", err)
		return 1
	}
	defer s.Close()
	sweeper, ok := s.Store.(session.Sweeper)
	if !ok {
		// Redis and memcached drop expired records themselves.
		fmt.Fprintln(stdout, "nothing to do: this store expires its sessions by itself and needs no sweeping")
		return 0
	}
	total := 0
	for {
		n, err := sweeper.DeleteExpired(ctx, *batch)
		total += n
		if err != nil {
			fmt.Fprintf(stderr, "tether clearsessions: after deleting %d: %v\n", total, err)
			return 1
		}
		if n < *batch {
			break
		}
		fmt.Fprintf(stdout, "deleted %d expired sessions so far\n", total)
	}
	fmt.Fprintf(stdout, "deleted %d expired sessions\n", total)
	return 0
}
