package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tetherweb/tether/session"
)

// resealCounts is what a reseal pass did.
type resealCounts struct {
	resealed   int // opened by a fallback key, now sealed with the current one
	current    int // already sealed with the current key
	written    int // changed by the application meanwhile (so sealed anew by it): skipped
	unopenable int // opened by no key (or another codec's format)
	clear      int // stored unsealed: left as they are
	gone       int // ended between the listing and the load or the write
}

// reseal walks the listing and seals every record that only a fallback
// key opens with the current key, by compare-and-swap from the version it
// loaded: a record the application wrote meanwhile is left to it (its
// Manager sealed it with the current key).
func (c *sessionsCmd) reseal(ctx context.Context) error {
	var n resealCounts
	err := c.recs.walk(ctx, func(e session.Entry) error {
		rf := entryRef(e.ID)
		rec, err := c.recs.load(ctx, rf)
		switch {
		case errors.Is(err, errNoRecord):
			n.gone++
			return nil
		case err != nil:
			return err
		case inTheClear(rec.Data):
			n.clear++
			return nil
		}
		o, err := c.keys.open(rf.hash, rec.Data)
		switch {
		case err != nil:
			n.unopenable++
			return nil
		case o.current:
			n.current++
			return nil
		}
		sealed, err := c.keys.reseal(rf.hash, o.data)
		if err != nil {
			return err
		}
		err = c.recs.update(ctx, rf, session.Record{Data: sealed, Expiry: rec.Expiry, Version: rec.Version})
		switch {
		case err == nil:
			n.resealed++
		case errors.Is(err, session.ErrConflict):
			n.written++
		case errors.Is(err, session.ErrNotFound):
			n.gone++
		default:
			return err
		}
		return nil
	})
	fmt.Fprintf(c.stdout, "resealed %d, already current %d, written meanwhile %d, unopenable %d, in the clear %d, gone %d\n",
		n.resealed, n.current, n.written, n.unopenable, n.clear, n.gone)
	return err
}
