package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/tetherweb/tether/session"
)

// List returns up to limit live entries (all when limit <= 0) whose IDs
// sort after the given one, in ID order. IDs are session.HashKey of the
// keys, or the keys themselves with WithHashKeys(false). Each call reads the
// whole directory listing: it is meant for operators, not request paths.
func (s *Store) List(ctx context.Context, after string, limit int) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("filestore: list: %w", err)
	}
	// os.ReadDir sorts by name, and every session file name is the prefix
	// followed by the ID, so this is ID order.
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("filestore: list: %w", err)
	}
	var out []session.Entry
	for _, ent := range ents {
		if limit > 0 && len(out) >= limit {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("filestore: list: %w", err)
		}
		id, ok := s.idOf(ent.Name())
		if !ok || id <= after || !ent.Type().IsRegular() {
			continue
		}
		h, size, err := s.inspect(filepath.Join(s.dir, ent.Name()), true)
		switch {
		case errors.Is(err, fs.ErrNotExist), errors.Is(err, ErrCorrupt):
			continue
		case err != nil:
			return nil, fmt.Errorf("filestore: list: %w", err)
		case !h.live(time.Now()):
			continue
		}
		out = append(out, session.Entry{ID: id, Expiry: h.expiryTime(), Size: int(size)})
	}
	return out, nil
}

// Count returns the number of live records. It reads the header of every
// session file.
func (s *Store) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("filestore: count: %w", err)
	}
	d, err := os.Open(s.dir)
	if err != nil {
		return 0, fmt.Errorf("filestore: count: %w", err)
	}
	defer d.Close()
	n := 0
	for {
		ents, rerr := d.ReadDir(sweepBatch)
		for _, ent := range ents {
			if err := ctx.Err(); err != nil {
				return 0, fmt.Errorf("filestore: count: %w", err)
			}
			if _, ok := s.idOf(ent.Name()); !ok || !ent.Type().IsRegular() {
				continue
			}
			h, _, err := s.inspect(filepath.Join(s.dir, ent.Name()), false)
			switch {
			case errors.Is(err, fs.ErrNotExist), errors.Is(err, ErrCorrupt):
			case err != nil:
				return 0, fmt.Errorf("filestore: count: %w", err)
			case h.live(time.Now()):
				n++
			}
		}
		if errors.Is(rerr, io.EOF) {
			return n, nil
		}
		if rerr != nil {
			return 0, fmt.Errorf("filestore: count: %w", rerr)
		}
	}
}
