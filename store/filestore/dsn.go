package filestore

import (
	"errors"

	"github.com/tetherweb/tether/store/dsn"
)

// init registers the DSN scheme "file" ("file:DIR", the directory created
// 0700 if missing) with store/dsn.
func init() { dsn.Register("file", openDSN) }

func openDSN(d string, _ dsn.Options) (*dsn.Opened, error) {
	dir, _, err := dsn.SplitQuery(d)
	if err != nil {
		return nil, err
	}
	if dir == "" {
		return nil, errors.New("dsn: file: needs a directory (file:DIR)")
	}
	s, err := New(dir, WithCreateDir(true))
	if err != nil {
		return nil, err
	}
	return &dsn.Opened{Store: s}, nil
}
