package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/internal/neterr"
)

// wrap gives err the operation's context: redis.Nil becomes
// session.ErrNotFound, a cancelled or expired ctx is reported as such even
// when go-redis said it its own way, and failures to reach Redis also
// match session.ErrUnavailable.
func wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, redis.Nil) {
		return fmt.Errorf("redisstore: %s: %w", op, session.ErrNotFound)
	}
	if ce := ctx.Err(); ce != nil && !errors.Is(err, ce) {
		err = fmt.Errorf("%w (%w)", ce, err)
	}
	if unavailable(err) {
		return fmt.Errorf("redisstore: %s: %w: %w", op, session.ErrUnavailable, err)
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// checkKey is the check before op on key: an error when ctx is done, and
// invalid when key is no session key (nothing can be stored under it).
func checkKey(ctx context.Context, op, key string, invalid error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	if !session.ValidKey(key) {
		return invalid
	}
	return nil
}

// writeReply turns the integer reply n of a write script for op, or the
// error err of the call, into n when it is positive (the script stored the
// record) or the error of the code n in codes.
func writeReply(ctx context.Context, op string, n int64, err error, codes map[int64]error) (int64, error) {
	if err != nil {
		return 0, wrap(ctx, op, err)
	}
	if n > 0 {
		return n, nil
	}
	if cerr, ok := codes[n]; ok {
		return 0, cerr
	}
	return 0, fmt.Errorf("redisstore: %s: unexpected script reply %d", op, n)
}

// unavailableMessages are go-redis errors that have no exported value
// (cluster, Sentinel and Ring clients with no node to talk to) and a
// broken connection reported as text.
var unavailableMessages = []string{
	"redis: cluster has no nodes",
	"redis: all ring shards are down",
	"all sentinels specified in configuration are unreachable",
	"redis: connection is not usable",
	"connection refused",
	"connection reset by peer",
	"broken pipe",
	"use of closed network connection",
}

// unavailablePrefixes are Redis error replies that mean the server cannot
// serve the command right now, though it may in a moment.
var unavailablePrefixes = []string{
	"LOADING",     // loading its dataset after a restart
	"BUSY",        // running a script that does not end
	"READONLY",    // a replica, during a failover
	"MASTERDOWN",  // a replica that lost its master
	"CLUSTERDOWN", // a cluster with uncovered slots
	"TRYAGAIN",    // a multi-key operation during resharding
	"OOM",         // out of memory (maxmemory), for writes
	"max number of clients reached",
}

// unavailable reports whether err means Redis cannot be reached or used
// right now. A cancelled context is not: the caller gave up, and Redis may
// be fine.
func unavailable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	if neterr.Unreachable(err) || errors.Is(err, redis.ErrPoolTimeout) ||
		errors.Is(err, redis.ErrPoolExhausted) || errors.Is(err, redis.ErrClosed) {
		return true
	}
	var redisErr redis.Error
	if errors.As(err, &redisErr) {
		for _, p := range unavailablePrefixes {
			if redis.HasErrorPrefix(err, p) {
				return true
			}
		}
		return false
	}
	msg := err.Error()
	for _, m := range unavailableMessages {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}
