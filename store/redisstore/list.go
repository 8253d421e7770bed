package redisstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/tetherweb/tether/internal/storeid"
	"github.com/tetherweb/tether/session"
)

const (
	// scanCount is the COUNT hint of each SCAN call: how many keys of the
	// keyspace (matching or not) Redis looks at per call.
	scanCount = 1000
	// inspectBatch is how many sessions one pipeline reads.
	inspectBatch = 256
)

// List returns up to limit live entries (all when limit <= 0) whose IDs
// sort after the given one, in ID order. An entry's ID is what follows the
// prefix in the Redis key: session.HashKey of the session key, or the key
// itself with WithHashKeys(false); keys under the prefix of another form are
// skipped. List scans the whole keyspace (every master of a Cluster) and
// sorts every matching ID before it reads the page's records: it is meant
// for operators, not for request paths.
func (s *Store) List(ctx context.Context, after string, limit int) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("redisstore: list: %w", err)
	}
	ids, err := s.ids(ctx, after)
	if err != nil {
		return nil, wrap(ctx, "list", err)
	}
	var entries []session.Entry
	for len(ids) > 0 && (limit <= 0 || len(entries) < limit) {
		n := min(len(ids), inspectBatch)
		if limit > 0 {
			n = min(n, limit-len(entries))
		}
		got, err := s.inspect(ctx, ids[:n])
		if err != nil {
			return nil, wrap(ctx, "list", err)
		}
		entries = append(entries, got...)
		ids = ids[n:]
	}
	if limit > 0 && len(entries) > limit {
		entries = slices.Clip(entries[:limit])
	}
	return entries, nil
}

// Count returns the number of live records. Like List, it scans the whole
// keyspace and reads every session's version, expiry and size.
func (s *Store) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("redisstore: count: %w", err)
	}
	ids, err := s.ids(ctx, "")
	if err != nil {
		return 0, wrap(ctx, "count", err)
	}
	count := 0
	for len(ids) > 0 {
		n := min(len(ids), inspectBatch)
		got, err := s.inspect(ctx, ids[:n])
		if err != nil {
			return 0, wrap(ctx, "count", err)
		}
		count += len(got)
		ids = ids[n:]
	}
	return count, nil
}

// ids returns, sorted and without duplicates, the IDs of the keys under
// the prefix that have the store's ID form and sort after after.
func (s *Store) ids(ctx context.Context, after string) ([]string, error) {
	var (
		mu  sync.Mutex
		ids []string
	)
	err := s.scan(ctx, func(keys []string) {
		mu.Lock()
		defer mu.Unlock()
		for _, k := range keys {
			id, ok := strings.CutPrefix(k, s.prefix)
			if ok && id > after && s.validID(id) {
				ids = append(ids, id)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil // SCAN may return a key twice
}

// validID reports whether id has the form of the store's IDs.
func (s *Store) validID(id string) bool { return storeid.Valid(id, s.hashKeys) }

// scanner is what SCAN needs: a *redis.Client for one node, or any client.
type scanner interface {
	Scan(ctx context.Context, cursor uint64, match string, count int64) *redis.ScanCmd
}

// scan calls found with every batch of keys under the prefix, on every
// master of a Cluster and every live shard of a Ring (concurrently: found
// must be safe for concurrent use).
func (s *Store) scan(ctx context.Context, found func(keys []string)) error {
	match := escapeGlob(s.prefix) + "*"
	each := func(ctx context.Context, c scanner) error {
		var cursor uint64
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			keys, next, err := c.Scan(ctx, cursor, match, scanCount).Result()
			if err != nil {
				return err
			}
			found(keys)
			if next == 0 {
				return nil
			}
			cursor = next
		}
	}
	perNode := func(ctx context.Context, c *redis.Client) error { return each(ctx, c) }
	switch c := s.client.(type) {
	case *redis.ClusterClient:
		return c.ForEachMaster(ctx, perNode)
	case *redis.Ring:
		return c.ForEachShard(ctx, perNode)
	}
	return each(ctx, s.client)
}

// escapeGlob quotes the characters that SCAN's MATCH pattern would take
// for wildcards.
func escapeGlob(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// inspect reads the records of ids with one pipeline (one round trip per
// node) and returns the entries of the live, well-formed ones, in the
// order of ids. Records that vanished meanwhile, dead ones and corrupt
// ones are left out.
func (s *Store) inspect(ctx context.Context, ids []string) ([]session.Entry, error) {
	type query struct {
		meta *redis.SliceCmd
		has  *redis.BoolCmd
		size *redis.IntCmd
	}
	pipe := s.client.Pipeline()
	queries := make([]query, len(ids))
	for i, id := range ids {
		k := s.prefix + id
		queries[i] = query{
			meta: pipe.HMGet(ctx, k, fieldVersion, fieldExpiry),
			has:  pipe.HExists(ctx, k, fieldData),
			size: pipe.HStrLen(ctx, k, fieldData),
		}
	}
	// Exec reports the first failed command; WRONGTYPE on a corrupt key is
	// expected, so the commands' own errors are looked at instead.
	pipe.Exec(ctx)
	now := s.now()
	var entries []session.Entry
	for i, q := range queries {
		skip := false
		for _, cmd := range []redis.Cmder{q.meta, q.has, q.size} {
			if err := cmd.Err(); err != nil {
				if !redis.HasErrorPrefix(err, "WRONGTYPE") {
					return nil, err
				}
				skip = true
			}
		}
		if skip || !q.has.Val() {
			continue
		}
		vals := q.meta.Val()
		if len(vals) != 2 {
			continue
		}
		_, okVersion := parseInt(vals[0])
		expiry, okExpiry := parseInt(vals[1])
		if !okVersion || !okExpiry {
			continue
		}
		if e := time.UnixMilli(expiry); e.After(now) {
			entries = append(entries, session.Entry{ID: ids[i], Expiry: e, Size: int(q.size.Val())})
		}
	}
	return entries, nil
}
