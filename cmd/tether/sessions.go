package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/dsn"
)

func init() {
	register("sessions", "list stored sessions or show one (sessions list|show KEY)", runSessions)
}

func runSessions(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sessions", flag.ContinueOnError)
	fs.SetOutput(stderr)
	storeDSN := fs.String("store", "", "the store's DSN (file:DIR, sqlite:PATH, postgres://…, mysql://…, redis://…, …)")
	limit := fs.Int("limit", 100, "list: at most this many sessions")
	after := fs.String("after", "", "list: start after this ID")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if *storeDSN == "" || len(pos) == 0 {
		fmt.Fprintln(stderr, "usage: tether sessions list --store DSN [--limit N] [--after ID]")
		fmt.Fprintln(stderr, "       tether sessions show KEY --store DSN")
		return 2
	}
	s, err := dsn.Open(*storeDSN, dsn.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "tether sessions: %v\n", err)
		return 1
	}
	defer s.Close()
	ctx := context.Background()
	switch {
	case pos[0] == "list" && len(pos) == 1:
		return listSessions(ctx, s, *after, *limit, stdout, stderr)
	case pos[0] == "show" && len(pos) == 2:
		return showSession(ctx, s, pos[1], stdout, stderr)
	}
	fmt.Fprintf(stderr, "tether sessions: unknown arguments %q\n", pos)
	return 2
}

func listSessions(ctx context.Context, s *dsn.Opened, after string, limit int, stdout, stderr io.Writer) int {
	lister, ok := s.Store.(session.Lister)
	if !ok {
		fmt.Fprintln(stderr, "tether sessions: this store cannot list its sessions")
		return 1
	}
	entries, err := lister.List(ctx, after, limit)
	if err != nil {
		fmt.Fprintf(stderr, "tether sessions: %v\n", err)
		return 1
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEXPIRES\tBYTES")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%d\n", e.ID, e.Expiry.UTC().Format(time.RFC3339), e.Size)
	}
	tw.Flush()
	if counter, ok := s.Store.(session.Counter); ok {
		if n, err := counter.Count(ctx); err == nil {
			fmt.Fprintf(stdout, "%d shown, %d live in all\n", len(entries), n)
		}
	}
	return 0
}

func showSession(ctx context.Context, s *dsn.Opened, key string, stdout, stderr io.Writer) int {
	if !session.ValidKey(key) {
		fmt.Fprintf(stderr, "tether sessions: %q is not a session key (32 characters of a-z0-9)\n", key)
		return 1
	}
	rec, err := s.Load(ctx, key)
	if errors.Is(err, session.ErrNotFound) {
		fmt.Fprintln(stderr, "tether sessions: no live session with that key")
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "tether sessions: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "expires: %s\nversion: %d\nbytes:   %d\n", rec.Expiry.UTC().Format(time.RFC3339), rec.Version, len(rec.Data))
	var pretty bytes.Buffer
	if json.Indent(&pretty, rec.Data, "", "  ") == nil {
		fmt.Fprintf(stdout, "data:\n%s\n", pretty.String())
	} else {
		fmt.Fprintf(stdout, "data (not JSON):\n%q\n", rec.Data)
	}
	return 0
}
