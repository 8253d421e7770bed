package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/tetherweb/tether/session"
)

// List implements session.Lister: up to limit live entries (all of them
// when limit <= 0) whose stored IDs sort after after, in byte order. The
// IDs are what the id column holds: key hashes unless WithHashKeys(false) or
// WithDjangoTable. Size is the length of the stored data (in Django mode, of
// the escaped form of data a text column cannot hold; see WithDjangoTable).
func (s *Store) List(ctx context.Context, after string, limit int) ([]session.Entry, error) {
	p, err := s.ensure(ctx)
	if err != nil {
		return nil, s.wrap(ctx, "list", err)
	}
	a := args{after: after, now: s.nowArg(), limit: limit}
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
			expiry any
			size   int64
		)
		if err := rows.Scan(&e.ID, &expiry, &size); err != nil {
			return nil, s.wrap(ctx, "list", err)
		}
		if e.Expiry, err = s.scannedExpiry(expiry); err != nil {
			return nil, fmt.Errorf("sqlstore: list: %w", err)
		}
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
	a := args{now: s.nowArg()}
	var n int64
	if err := s.queryRow(ctx, p, qCount, &a).Scan(&n); err != nil {
		return 0, s.wrap(ctx, "count", err)
	}
	return int(n), nil
}

// scannedExpiry reads an expiry that List scanned into an any: Unix
// milliseconds, or Django mode's text.
func (s *Store) scannedExpiry(v any) (time.Time, error) {
	switch v := v.(type) {
	case int64:
		return time.UnixMilli(v).UTC(), nil
	case []byte:
		return s.expiryFromText(string(v))
	case string:
		return s.expiryFromText(v)
	}
	return time.Time{}, fmt.Errorf("unexpected expiry %T", v)
}

// expiryFromText reads an expiry given as text: Django mode's expire_date,
// or tether's Unix milliseconds from a driver that returns numbers as
// text (go-sql-driver/mysql outside prepared statements).
func (s *Store) expiryFromText(text string) (time.Time, error) {
	if s.django {
		t, err := parseDjangoExpiry(text)
		if err != nil {
			return time.Time{}, fmt.Errorf("bad expire_date %q: %w", text, err)
		}
		return t, nil
	}
	ms, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad expiry %q", text)
	}
	return time.UnixMilli(ms).UTC(), nil
}
