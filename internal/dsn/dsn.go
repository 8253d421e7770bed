// Package dsn opens a session store from a one-line description, for the
// demo and the tether command:
//
//	memory:                 an in-process map (lost on exit)
//	file:DIR                one file per session in DIR
//	sqlite:PATH             a SQLite database file
//
// A query string selects options: "?table=NAME" names the SQL table.
package dsn

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/filestore"
	"github.com/tetherweb/tether/store/memstore"
	"github.com/tetherweb/tether/store/sqlstore"
)

// Store is an opened store and the function that releases it.
type Store struct {
	session.Store
	close func() error
}

// Close releases the store's resources.
func (s *Store) Close() error {
	if s.close == nil {
		return nil
	}
	return s.close()
}

// Open opens the store that dsn describes.
func Open(dsn string) (*Store, error) {
	scheme, rest, ok := strings.Cut(dsn, ":")
	if !ok {
		return nil, fmt.Errorf("dsn: %q has no scheme (want memory:, file:DIR or sqlite:PATH)", dsn)
	}
	target, query := rest, url.Values{}
	if i := strings.LastIndex(rest, "?"); i >= 0 {
		q, err := url.ParseQuery(rest[i+1:])
		if err != nil {
			return nil, fmt.Errorf("dsn: %q: bad options: %w", dsn, err)
		}
		target, query = rest[:i], q
	}
	switch scheme {
	case "memory":
		s := memstore.New()
		return &Store{Store: s, close: s.Close}, nil
	case "file":
		if target == "" {
			return nil, errors.New("dsn: file: needs a directory (file:DIR)")
		}
		s, err := filestore.New(target)
		if err != nil {
			return nil, err
		}
		return &Store{Store: s}, nil
	case "sqlite":
		if target == "" {
			return nil, errors.New("dsn: sqlite: needs a path (sqlite:PATH)")
		}
		var opts []sqlstore.Option
		if t := query.Get("table"); t != "" {
			opts = append(opts, sqlstore.Table(t))
		}
		s, err := sqlstore.OpenSQLite(target, opts...)
		if err != nil {
			return nil, err
		}
		return &Store{Store: s, close: s.Close}, nil
	}
	return nil, fmt.Errorf("dsn: unknown store %q (want memory:, file:DIR or sqlite:PATH)", scheme+":")
}
