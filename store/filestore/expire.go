package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// sweepBatch is how many directory entries DeleteExpired reads at once,
// and how many removals it makes under one holding of the lock.
const sweepBatch = 256

// DeleteExpired removes up to limit expired or unparsable session files
// (all of them when limit <= 0) and returns how many it removed. It also
// removes temporary files older than a minute, left by writes that
// crashed; they are not counted. Files without the store's prefix and
// name shape are never touched.
//
// The directory is read without the lock; every removal is checked again
// under it, taken for a batch of files at a time, so a record that a
// concurrent Create or Update brought back to life is kept.
func (s *Store) DeleteExpired(ctx context.Context, limit int) (int, error) {
	n, err := s.deleteExpired(ctx, limit)
	if err != nil {
		return n, fmt.Errorf("filestore: delete expired: %w", err)
	}
	return n, nil
}

func (s *Store) deleteExpired(ctx context.Context, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	d, err := os.Open(s.dir)
	if err != nil {
		return 0, err
	}
	defer d.Close()

	removed := 0
	var candidates []string
	flush := func() error {
		if len(candidates) == 0 {
			return nil
		}
		n, err := s.removeDead(ctx, candidates)
		removed += n
		candidates = candidates[:0]
		return err
	}
	for {
		ents, rerr := d.ReadDir(sweepBatch)
		for _, ent := range ents {
			if limit > 0 && removed+len(candidates) >= limit {
				if err := flush(); err != nil {
					return removed, err
				}
				if removed >= limit {
					return removed, nil
				}
			}
			if err := ctx.Err(); err != nil {
				return removed, err
			}
			name := ent.Name()
			if strings.HasPrefix(name, tempPrefix) {
				removeStaleTemp(filepath.Join(s.dir, name), ent)
				continue
			}
			if _, ok := s.idOf(name); !ok || !ent.Type().IsRegular() {
				continue
			}
			if p := filepath.Join(s.dir, name); s.dead(p, time.Now()) {
				candidates = append(candidates, p)
			}
		}
		if len(candidates) >= sweepBatch {
			if err := flush(); err != nil {
				return removed, err
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return removed, rerr
		}
	}
	return removed, flush()
}

// removeDead removes the files in paths that are still expired or
// unparsable once the lock is held, and returns how many it removed.
func (s *Store) removeDead(ctx context.Context, paths []string) (int, error) {
	unlock, err := s.lock(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	n := 0
	now := time.Now()
	for _, p := range paths {
		if !s.dead(p, now) {
			continue
		}
		if err := os.Remove(p); err == nil {
			n++
		} else if !errors.Is(err, fs.ErrNotExist) {
			return n, err
		}
	}
	return n, nil
}

// dead reports whether the session file p exists and holds an expired or
// unparsable record. Files it cannot read are left alone.
func (s *Store) dead(p string, now time.Time) bool {
	h, _, err := s.inspect(p, false)
	if err != nil {
		return errors.Is(err, ErrCorrupt)
	}
	return !h.live(now)
}

// removeStaleTemp removes the temporary file p if it is older than
// tempMaxAge: no write takes that long, so a crashed one left it.
func removeStaleTemp(p string, ent fs.DirEntry) {
	if !ent.Type().IsRegular() {
		return
	}
	fi, err := ent.Info()
	if err != nil || time.Since(fi.ModTime()) < tempMaxAge {
		return
	}
	os.Remove(p)
}
