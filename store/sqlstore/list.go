package sqlstore

import (
	"context"
	"time"

	"github.com/tetherweb/tether/session"
)

// List implements session.Lister: up to limit live entries (all of them
// when limit <= 0) whose stored IDs sort after after, in ID order. The IDs
// are what the id column holds: key hashes unless HashKeys(false).
func (s *Store) List(ctx context.Context, after string, limit int) ([]session.Entry, error) {
	p, err := s.ensure(ctx)
	if err != nil {
		return nil, s.wrap(ctx, "list", err)
	}
	a := args{after: after, now: s.nowMs(), limit: limit}
	qi := qList
	if limit > 0 {
		qi = qListLimited
	}
	rows, err := p[qi].QueryContext(ctx, s.q[qi].bind(&a)...)
	if err != nil {
		return nil, s.wrap(ctx, "list", err)
	}
	defer rows.Close()
	var out []session.Entry
	for rows.Next() {
		var (
			e      session.Entry
			expiry int64
			size   int64
		)
		if err := rows.Scan(&e.ID, &expiry, &size); err != nil {
			return nil, s.wrap(ctx, "list", err)
		}
		e.Expiry = time.UnixMilli(expiry).UTC()
		e.Size = int(size)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(ctx, "list", err)
	}
	return out, nil
}

// Count implements session.Counter: the number of live records.
func (s *Store) Count(ctx context.Context) (int, error) {
	p, err := s.ensure(ctx)
	if err != nil {
		return 0, s.wrap(ctx, "count", err)
	}
	a := args{now: s.nowMs()}
	var n int64
	if err := s.queryRow(ctx, p, qCount, &a).Scan(&n); err != nil {
		return 0, s.wrap(ctx, "count", err)
	}
	return int(n), nil
}
