package sqlstore

import (
	"context"
	"fmt"
)

// Migrate creates the store's table and its expiry index if they do not
// exist. It is idempotent and safe to run concurrently, also from several
// processes. Stores run it on first use unless [WithAutoMigrate] is off; call
// it at start-up to find a database problem early, or with WithAutoMigrate(false)
// from a deployment step.
//
// With [WithDjangoTable], Migrate leaves an existing table alone (whatever its
// indexes) and otherwise creates it as Django's sessions.0001_initial
// migration does, with the same column types and index names. Django's
// own migrate then still wants to create it: run
// "manage.py migrate sessions --fake-initial" (or let Django create it).
// An existing table's expire_date must keep microseconds, as Django's
// migration makes it (datetime(6) on MySQL and MariaDB, timestamp with
// time zone on PostgreSQL): Migrate fails otherwise, as does the store's
// first use (see [WithDjangoTable]).
func (s *Store) Migrate(ctx context.Context) error {
	if s.closed.Load() {
		return s.wrap(ctx, "migrate", errClosed)
	}
	if err := s.migrate(ctx); err != nil {
		return s.wrap(ctx, "migrate", err)
	}
	s.migrated.Store(true)
	return nil
}

func (s *Store) migrate(ctx context.Context) error {
	if err := s.lockWrite(ctx); err != nil {
		return err
	}
	defer s.unlockWrite()
	ddl := s.d.createTable(s.table)
	if s.django {
		// Django's table is Django's: touch nothing when it exists, but
		// check that the store can work on it.
		exists, err := s.tableExists(ctx)
		if err != nil {
			return err
		}
		if exists {
			return s.checkDjango(ctx)
		}
		ddl = s.d.djangoTable(s.table)
	}
	for _, stmt := range ddl {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			if s.d.isAlreadyExists(err) {
				// Another process created it at the same moment (PostgreSQL
				// reports a racing CREATE … IF NOT EXISTS this way).
				continue
			}
			return fmt.Errorf("%w [%s]", err, firstLine(stmt))
		}
	}
	return nil
}

// tableExists reports whether the store's table can be read. An error
// other than the context's says it cannot (missing, or not readable: the
// DDL that follows will tell).
func (s *Store) tableExists(ctx context.Context) (bool, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT 1 FROM "+s.table.qualified(s.d)+" WHERE 1 = 0")
	if err != nil {
		return false, ctx.Err()
	}
	return true, rows.Close()
}

// checkDjango checks Django's table, in Django mode (see
// dialect.checkDjangoExpiry).
func (s *Store) checkDjango(ctx context.Context) error {
	return s.d.checkDjangoExpiry(ctx, s.db, s.table)
}

// ensure gets the store ready before its first use: it checks the
// connection settings (see dialect.checkConn), runs the migration (unless
// AutoMigrate is off or it ran already) or else, in Django mode, checks
// the existing table, and prepares the statements, once; after a failure
// the next call tries again.
func (s *Store) ensure(ctx context.Context) (*prepared, error) {
	if p := s.stmts.Load(); p != nil {
		return p, nil
	}
	select {
	case s.preparing <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.preparing }()
	if s.closed.Load() {
		return nil, errClosed
	}
	if p := s.stmts.Load(); p != nil {
		return p, nil
	}
	if err := s.d.checkConn(ctx, s.db); err != nil {
		return nil, err
	}
	if !s.migrated.Load() {
		switch {
		case s.autoMigrate:
			if err := s.migrate(ctx); err != nil {
				return nil, err
			}
			s.migrated.Store(true)
		case s.django:
			if err := s.checkDjango(ctx); err != nil {
				return nil, err
			}
		}
	}
	p := new(prepared)
	for i, q := range s.q {
		st, err := s.db.PrepareContext(ctx, q.sql)
		if err != nil {
			for _, st := range p[:i] {
				st.Close()
			}
			return nil, err
		}
		p[i] = st
	}
	s.stmts.Store(p)
	return p, nil
}

func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i] + " …"
		}
	}
	return s
}
