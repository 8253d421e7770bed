package sqlstore

import (
	"context"
	"fmt"
)

// Migrate creates the store's table and its expiry index if they do not
// exist. It is idempotent and safe to run concurrently, also from several
// processes. Stores run it on first use unless [AutoMigrate] is off; call
// it at start-up to find a database problem early, or with AutoMigrate(false)
// from a deployment step.
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
	for _, stmt := range s.d.createTable(s.table) {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			if s.d.isUniqueViolation(err) {
				// Another process created it at the same moment (PostgreSQL
				// reports a racing CREATE … IF NOT EXISTS this way).
				continue
			}
			return fmt.Errorf("%w [%s]", err, firstLine(stmt))
		}
	}
	return nil
}

// ensure gets the store ready before its first use: it runs the migration
// (unless AutoMigrate is off or it ran already) and prepares the
// statements, once; after a failure the next call tries again.
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
	if s.autoMigrate && !s.migrated.Load() {
		if err := s.migrate(ctx); err != nil {
			return nil, err
		}
		s.migrated.Store(true)
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
