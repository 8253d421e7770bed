package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/internal/neterr"
)

// wrap gives err the operation's context. A cancelled or expired ctx is
// reported as such even when the driver said it its own way ("interrupted");
// failures to reach the database also match session.ErrUnavailable.
func (s *Store) wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if ce := ctx.Err(); ce != nil && !errors.Is(err, ce) {
		err = fmt.Errorf("%w (%w)", ce, err)
	}
	if s.unavailable(err) {
		return fmt.Errorf("sqlstore: %s: %w: %w", op, session.ErrUnavailable, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// unavailable reports whether err means the database cannot be reached or
// used right now: a deadline, a broken or closed connection, a closed
// *sql.DB, a network error, or what the dialect counts as such (SQLite:
// locked beyond the busy timeout, cannot open the file, I/O error;
// PostgreSQL and MySQL: see their isUnavailable).
func (s *Store) unavailable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false // the caller gave up; the database may be fine
	}
	if s.closed.Load() {
		return true // e.g. "sql: statement is closed" in a call racing Close
	}
	if neterr.Unreachable(err) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	// database/sql has no exported value for this one.
	if strings.Contains(err.Error(), "sql: database is closed") {
		return true
	}
	return s.d.isUnavailable(err)
}
