package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/dsn"
)

func init() {
	register("sessions", "list, show, revoke or re-seal stored sessions (sessions list|show ID|revoke ID|revoke --user U|reseal)", runSessions)
}

const sessionsUsage = `usage: tether sessions list --store DSN [--limit N] [--after ID] [--secret-key-file F]
       tether sessions show ID --store DSN [--secret-key-file F] [--fallback-key-file F]
       tether sessions revoke ID --store DSN
       tether sessions revoke --user U --store DSN --secret-key-file F
       tether sessions reseal --store DSN --secret-key-file F --fallback-key-file F
ID is a session ID as "sessions list" shows it (or a session key); the secret key
is read from --secret-key-file, else $TETHER_SECRET_KEY; the fallback key file
holds former secret keys, one a line.`

// sessionsCmd is one run of "tether sessions".
type sessionsCmd struct {
	store  *dsn.Opened
	recs   records
	keys   *sealKeys // nil without a secret key
	stdout io.Writer
	stderr io.Writer
}

func runSessions(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sessions", flag.ContinueOnError)
	fs.SetOutput(stderr)
	storeDSN := fs.String("store", "", "the store's DSN (file:DIR, sqlite:PATH, postgres://…, mysql://…, redis://…, …)")
	limit := fs.Int("limit", 100, "list: at most this many sessions")
	after := fs.String("after", "", "list: start after this stored ID")
	keyFile := fs.String("secret-key-file", "", "read the secret key from this file (default $TETHER_SECRET_KEY)")
	fallbackFile := fs.String("fallback-key-file", "", "read former secret keys from this file, one a line")
	user := fs.String("user", "", "revoke: end every session of this user")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if *storeDSN == "" || len(pos) == 0 {
		fmt.Fprintln(stderr, sessionsUsage)
		return 2
	}
	keys, err := loadSealKeys(*keyFile, *fallbackFile)
	if err != nil {
		fmt.Fprintf(stderr, "tether sessions: %v\n", err)
		return 2
	}
	var run func(ctx context.Context, c *sessionsCmd) error
	switch {
	case pos[0] == "list" && len(pos) == 1:
		run = func(ctx context.Context, c *sessionsCmd) error { return c.list(ctx, *after, *limit) }
	case pos[0] == "show" && len(pos) == 2:
		run = func(ctx context.Context, c *sessionsCmd) error { return c.show(ctx, pos[1]) }
	case pos[0] == "revoke" && len(pos) == 2 && *user == "":
		run = func(ctx context.Context, c *sessionsCmd) error { return c.revoke(ctx, pos[1]) }
	case pos[0] == "revoke" && len(pos) == 1 && *user != "":
		if keys == nil {
			fmt.Fprintln(stderr, "tether sessions: revoke --user needs the secret key (--secret-key-file or $TETHER_SECRET_KEY): the user's index is sealed with it")
			return 2
		}
		run = func(ctx context.Context, c *sessionsCmd) error { return c.revokeUser(ctx, *user) }
	case pos[0] == "reseal" && len(pos) == 1:
		if keys == nil || len(keys.fallbacks) == 0 {
			fmt.Fprintln(stderr, "tether sessions: reseal needs the secret key (--secret-key-file or $TETHER_SECRET_KEY) and the former keys (--fallback-key-file)")
			return 2
		}
		run = func(ctx context.Context, c *sessionsCmd) error { return c.reseal(ctx) }
	default:
		fmt.Fprintf(stderr, "tether sessions: unknown arguments %q\n%s\n", pos, sessionsUsage)
		return 2
	}
	var opts dsn.Options
	if keys != nil {
		opts.SecretKey = keys.secret
	}
	s, err := dsn.Open(*storeDSN, opts)
	if err != nil {
		fmt.Fprintf(stderr, "tether sessions: %v\n", err)
		return 1
	}
	defer s.Close()
	if s.Store == nil {
		fmt.Fprintln(stderr, "tether sessions: this store keeps the sessions in the cookies: there are no records to look at")
		return 1
	}
	c := &sessionsCmd{store: s, recs: records{store: s.Store}, keys: keys, stdout: stdout, stderr: stderr}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintf(stderr, "tether sessions: %v\n", err)
		return 1
	}
	return 0
}

// list prints a page of the listing. IDs are never usable keys; with the
// secret key, a KIND column tells sessions from per-user index records.
func (c *sessionsCmd) list(ctx context.Context, after string, limit int) error {
	lister, ok := c.store.Store.(session.Lister)
	if !ok {
		return errors.New("this store cannot list its sessions")
	}
	entries, err := lister.List(ctx, after, limit)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	if c.keys != nil {
		fmt.Fprintln(tw, "ID\tEXPIRES\tBYTES\tKIND")
	} else {
		fmt.Fprintln(tw, "ID\tEXPIRES\tBYTES")
	}
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%d", shownID(e.ID), e.Expiry.UTC().Format(time.RFC3339), e.Size)
		if c.keys != nil {
			fmt.Fprintf(tw, "\t%s", c.kind(ctx, entryRef(e.ID)))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	if counter, ok := c.store.Store.(session.Counter); ok {
		if n, err := counter.Count(ctx); err == nil {
			fmt.Fprintf(c.stdout, "%d shown, %d live in all\n", len(entries), n)
		}
	}
	return nil
}

// kind describes a listed record: "session", "index" (a per-user index),
// "clear" (an unsealed session), "gone" (ended since it was listed) or
// "unopenable" (sealed with another key, or another codec's format).
func (c *sessionsCmd) kind(ctx context.Context, rf ref) string {
	rec, err := c.recs.load(ctx, rf)
	switch {
	case errors.Is(err, errNoRecord):
		return "gone"
	case err != nil:
		return "error"
	case inTheClear(rec.Data):
		return "clear"
	}
	o, err := c.keys.open(rf.hash, rec.Data)
	switch {
	case err != nil:
		return "unopenable"
	case o.index:
		return "index"
	case !o.current:
		return "session (fallback key)"
	}
	return "session"
}

// show prints one record: its expiry and size, and its content when the
// secret key opens it (or it is stored in the clear). The content of a
// per-user index, which holds session keys, is never printed.
func (c *sessionsCmd) show(ctx context.Context, arg string) error {
	rf, rec, err := c.recs.resolve(ctx, arg)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "id:      %s\nexpires: %s\nversion: %d\nbytes:   %d\n", rf.hash, rec.Expiry.UTC().Format(time.RFC3339), rec.Version, len(rec.Data))
	var o opened
	err = errors.New("no secret key")
	if c.keys != nil {
		o, err = c.keys.open(rf.hash, rec.Data)
	}
	content := o.data
	switch {
	case err == nil && o.index:
		fmt.Fprintf(c.stdout, "kind:    per-user index of %d sessions (their keys are not shown)\n", indexSize(o.data))
		return nil
	case err == nil && o.current:
		fmt.Fprintln(c.stdout, "sealed:  with the current secret key")
	case err == nil:
		fmt.Fprintln(c.stdout, "sealed:  with a fallback key (`tether sessions reseal` seals it with the current one)")
	case inTheClear(rec.Data):
		fmt.Fprintln(c.stdout, "sealed:  no, stored in the clear")
		content = rec.Data
	case c.keys != nil:
		fmt.Fprintln(c.stdout, "data:    not shown: it does not open with the secret key or the fallback keys (sealed with another key, or another codec's format)")
		return nil
	default:
		fmt.Fprintln(c.stdout, "data:    sealed (or another codec's format): give the secret key (--secret-key-file or $TETHER_SECRET_KEY) to open it")
		return nil
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, content, "", "  ") != nil {
		fmt.Fprintln(c.stdout, "data:    not JSON")
		return nil
	}
	fmt.Fprintf(c.stdout, "data:\n%s\n", pretty.String())
	return nil
}
