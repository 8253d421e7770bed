package sqlstore

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tetherweb/tether/store/dsn"
)

// This file holds the dialect-independent part of the SQL stores' DSNs
// (package store/dsn): the "?table=" parameter. The driver packages
// register the schemes.

// TableOptions are the options a DSN's table parameter selects: none for
// "", [WithTable](name) otherwise, and for a table named django_session
// (in any schema) also [WithDjangoTable] and [WithAutoMigrate](true), so
// that the demo and the tether command may start on an empty database
// (the store creates Django's table with Django's DDL if it is missing).
// django reports Django's table.
func TableOptions(name string) (opts []Option, django bool) {
	if name == "" {
		return nil, false
	}
	opts = []Option{WithTable(name)}
	parts := strings.Split(name, ".")
	if parts[len(parts)-1] != DjangoTableName {
		return opts, false
	}
	return append(opts, WithDjangoTable(), WithAutoMigrate(true)), true
}

// OpenForDSN opens a store for store/dsn: open is called with the
// options of the DSN's table parameter ([TableOptions]), and the store is
// returned as a dsn.Opened that Close releases. The driver packages'
// DSN openers end with it.
func OpenForDSN(table string, open func(opts ...Option) (*Store, error)) (*dsn.Opened, error) {
	opts, django := TableOptions(table)
	s, err := open(opts...)
	if err != nil {
		return nil, err
	}
	return &dsn.Opened{Store: s, Django: django, Release: s.Close}, nil
}

// SplitTableParam parses a URL DSN and removes its table parameter,
// keeping the other parameters exactly as written, for the driver. It
// returns the URL and the table parameter.
func SplitTableParam(dsn string) (*url.URL, string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, "", fmt.Errorf("dsn: bad URL: %w", err)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, "", fmt.Errorf("dsn: %s: bad options: %w", u.Redacted(), err)
	}
	var kept []string
	for _, p := range strings.Split(u.RawQuery, "&") {
		if p == "" {
			continue
		}
		if k, _, _ := strings.Cut(p, "="); k == "table" {
			continue
		}
		kept = append(kept, p)
	}
	u.RawQuery = strings.Join(kept, "&")
	return u, q.Get("table"), nil
}
