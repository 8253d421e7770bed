// Command tether is the operator's tool for tether applications.
//
// Usage:
//
//	tether keygen                 print a new secret key
//	tether clearsessions --store DSN
//	                              delete expired sessions, in batches
//	tether sessions list --store DSN   IDs are key hashes, never keys
//	tether sessions show ID --store DSN [--secret-key-file F] [--fallback-key-file F]
//	tether sessions revoke ID --store DSN
//	tether sessions revoke --user U --store DSN --secret-key-file F
//	tether sessions reseal --store DSN --secret-key-file F --fallback-key-file F
//	tether check --deploy [URL...] check a deployed site and its secret key
//
// Store DSNs: file:DIR, sqlite:PATH, postgres://…, mysql://…, redis://…,
// redis-cluster://…, memcached://…, tiered:CACHE+DB; "?table=NAME" picks
// the SQL table (see the README). The secret key is read from
// --secret-key-file, else $TETHER_SECRET_KEY.
package main

import (
	"fmt"
	"io"
	"os"
)

// command is one subcommand: it gets its arguments and the output streams
// and returns the process exit status.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string, stdout, stderr io.Writer) int) {
	commands[name] = command{summary: summary, run: run}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "tether: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: tether COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, name := range sortedCommandNames() {
		fmt.Fprintf(w, "  %-14s %s\n", name, commands[name].summary)
	}
}
