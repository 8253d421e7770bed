package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/tetherweb/tether/session"
)

// revoke deletes the record that arg names (see records.resolve). With
// the secret key it refuses a per-user index record: deleting one would
// hide the user's sessions from revoke --user.
func (c *sessionsCmd) revoke(ctx context.Context, arg string) error {
	rf, rec, err := c.recs.resolve(ctx, arg)
	if err != nil {
		return err
	}
	if c.keys != nil {
		if o, err := c.keys.open(rf.hash, rec.Data); err == nil && o.index {
			return errors.New("that ID is a per-user index, not a session: use revoke --user")
		}
	}
	if err := c.recs.remove(ctx, rf); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "revoked 1 session (%s)\n", rf.hash)
	return nil
}

// revokeUser ends every session of user through the per-user index
// (session.Manager.RevokeUser), which the store keeps sealed with the
// secret key.
func (c *sessionsCmd) revokeUser(ctx context.Context, user string) error {
	durable, ok := c.store.Store.(session.Durable)
	if !ok {
		return errors.New("this store keeps no per-user index (it is not a session.Durable store)")
	}
	m := &session.Manager{
		Store:        durable,
		SecretKey:    c.keys.secret,
		FallbackKeys: c.keys.fallbacks,
		Users:        session.NewUserIndex(durable),
		Logger:       slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if c.store.Django {
		return errors.New("a store on Django's table keeps no per-user index")
	}
	// SessionsOf drops the index entries of sessions that have already
	// ended (revoked by ID, logged out, expired), so that RevokeUser's
	// count is that of the sessions it ends.
	if _, err := m.SessionsOf(ctx, user); err != nil {
		return err
	}
	n, err := m.RevokeUser(ctx, user)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "revoked %d sessions of user %q\n", n, clipArg(user))
	return nil
}
