package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"time"
)

// maxKeyAttempts bounds the search for an unused key (a collision of two
// 165-bit random keys never happens; a store answering ErrExists forever
// must not hang the request).
const maxKeyAttempts = 5

// errRejected stands for a record that did not open: as missing as one
// not found, and already logged as rejected.
var errRejected = fmt.Errorf("session: record rejected: %w", ErrNotFound)

// serverBackend keeps sessions as records in a Store; the cookie holds
// only the key.
type serverBackend struct {
	m     *Manager
	store Store
	locks *keyLocks
}

func (b *serverBackend) open(s *Session, value string) {
	s.hadCookie = true
	if ValidKey(value) {
		s.cookieValue, s.key = value, value
		return
	}
	// A malformed key names no record: no store call can find one.
	s.st, s.values = stateFresh, map[string][]byte{}
}

func (b *serverBackend) load(s *Session) {
	if s.key == "" {
		s.st, s.values = stateFresh, map[string][]byte{}
		return
	}
	m := b.m
	var rec Record
	err := m.bounded(s.ctx, OpLoad, func(ctx context.Context) (err error) {
		rec, err = b.store.Load(ctx, s.key)
		return err
	})
	// A Local store checks the expiry against time.Now itself (see
	// Local): with the Manager's own clock that, checking again would
	// only read the clock a second time.
	live := err == nil && (m.localExpiry || rec.Expiry.After(m.Now()))
	if live {
		if rec.Data, err = m.sealer.open(s.key, rec.Data); err != nil {
			// Another key's blob, a truncated one, or a secret we do not
			// hold: not this session's record.
			m.event(s.ctx, slog.LevelWarn, EventRecordRejected, "session: record does not open; starting a new session",
				slog.Any("error", err))
			err = errRejected
		}
	}
	switch {
	case err == nil && !live:
		// The store returned a dead record: never use it.
		m.event(s.ctx, slog.LevelDebug, EventEnded, "session: the cookie names an expired session; starting a new one")
		s.key, s.st, s.values = "", stateFresh, map[string][]byte{}
	case err == nil:
		s.st, s.version = stateStored, rec.Version
		if _, ok := m.Codec.(JSONCodec); ok && validObject(rec.Data) == nil {
			// Read-only requests look values up in the record itself;
			// it is split into a map only when something changes.
			s.lazy = rec.Data
		} else if vals, derr := m.Codec.Decode(rec.Data); derr == nil {
			s.values = vals
		} else {
			s.values = map[string][]byte{}
			// A record that does not decode is an empty session that keeps
			// its key, so the next save overwrites it (as in Django).
			m.event(s.ctx, slog.LevelWarn, EventRecordRejected, "session: record does not decode; starting empty",
				slog.Any("error", derr))
		}
	case errors.Is(err, ErrNotFound):
		// Unknown or expired key: never adopted; a save issues a new one.
		if err != errRejected {
			m.event(s.ctx, slog.LevelDebug, EventEnded, "session: the cookie names no live session; starting a new one")
		}
		s.key, s.st, s.values = "", stateFresh, map[string][]byte{}
	default:
		s.st, s.err, s.values = stateBroken, fmt.Errorf("session: load: %w", err), map[string][]byte{}
	}
	if s.st == stateStored && isIndex(s.values, s.lazy) {
		// A per-user index record is never a session, whoever names it.
		m.event(s.ctx, slog.LevelWarn, EventRecordRejected, "session: a cookie named a per-user index record; starting a new session")
		s.key, s.st, s.values, s.lazy = "", stateFresh, map[string][]byte{}, nil
	}
}

func (b *serverBackend) retire(s *Session) error {
	for _, r := range s.pending.retire {
		if err := b.m.bounded(s.ctx, OpDelete, func(ctx context.Context) error { return b.store.Delete(ctx, r.key) }); err != nil {
			return fmt.Errorf("session: delete: %w", err)
		}
		if r.user != "" && b.m.users() != nil {
			b.m.indexRemove(s.ctx, r.user, r.key)
		}
	}
	return nil
}

func (b *serverBackend) newCookie(s *Session) bool {
	return s.st != stateStored || s.pending.cycle || s.pending.flush
}

// save: a fresh session is created under a new key; a stored one is
// written back with compare-and-swap, under this process's lock for the
// key, and moved to a new key after CycleKey.
func (b *serverBackend) save(s *Session, h http.Header) error {
	if s.st == stateFresh {
		return b.saveNew(s, h)
	}
	if s.coalescible() {
		return b.saveCoalesced(s, h)
	}
	return b.saveLocked(s, h)
}

// saveLocked writes a stored session under its key's lock, by itself.
func (b *serverBackend) saveLocked(s *Session, h http.Header) error {
	held, err := b.locks.lock(s.ctx, s.key)
	if err != nil {
		return fmt.Errorf("session: save: %w", err)
	}
	defer held.unlock()
	if w := held.last(); w != nil && w.version != s.version {
		// A commit of this process wrote the record after this request
		// loaded it: start from what it wrote.
		if err := s.rebase(maps.Clone(w.values), w.version); err != nil {
			return err
		}
	}
	if s.pending.cycle {
		err = b.saveCycled(s, h)
		held.wrote(nil) // the record under the old key is gone
		return err
	}
	return b.saveAndHandOff(s, h, held)
}

// saveAndHandOff is saveExisting under held, handing what it wrote to the
// next holder.
func (b *serverBackend) saveAndHandOff(s *Session, h http.Header, held *heldLock) error {
	err := b.saveExisting(s, h)
	if err == nil && s.st == stateStored {
		held.wrote(&written{version: s.version, values: s.values})
	} else {
		held.wrote(nil)
	}
	return err
}

// saveNew stores a session that has no record yet under a fresh key.
func (b *serverBackend) saveNew(s *Session, h http.Header) error {
	if isEmpty(s.values) {
		if s.hadCookie {
			s.deleteCookie(h)
		}
		return nil
	}
	key, v, err := b.create(s)
	if err != nil {
		return err
	}
	s.key, s.version, s.st = key, v, stateStored
	return s.setCookie(h, key, s.values)
}

// create stores the session's values under a new random key. A session
// linked to a user is added to the user's index first, so that it is never
// live without being listed.
func (b *serverBackend) create(s *Session) (string, Version, error) {
	link, index := s.prepareUser(true)
	rec, err := b.m.record(s.values, 0)
	if err != nil {
		return "", 0, err
	}
	for range maxKeyAttempts {
		key := NewKey()
		if index {
			if err := b.m.indexAdd(s.ctx, link.ID, key, b.m.expiry(s.values).age); err != nil {
				return "", 0, err
			}
		}
		var v Version
		sealed := b.sealed(key, rec)
		err := b.m.bounded(s.ctx, OpCreate, func(ctx context.Context) (err error) {
			v, err = b.store.Create(ctx, key, sealed)
			return err
		})
		if errors.Is(err, ErrExists) {
			if index {
				b.m.indexRemove(s.ctx, link.ID, key)
			}
			continue
		}
		if err != nil {
			return "", 0, fmt.Errorf("session: create: %w", err)
		}
		return key, v, nil
	}
	return "", 0, errors.New("session: create: no unused key found")
}

// sealed returns rec with its data sealed for key (Manager.SecretKey).
func (b *serverBackend) sealed(key string, rec Record) Record {
	rec.Data = b.m.sealer.seal(key, rec.Data)
	return rec
}

// update is one compare-and-swap write of rec under key.
func (b *serverBackend) update(s *Session, key string, rec Record) (Version, error) {
	rec = b.sealed(key, rec)
	var v Version
	err := b.m.bounded(s.ctx, OpUpdate, func(ctx context.Context) (err error) {
		v, err = b.store.Update(ctx, key, rec)
		return err
	})
	return v, err
}

// delete removes the record under key, logging a failure: the callers
// have already made the record dead, so a failure leaves only garbage.
func (b *serverBackend) delete(s *Session, key, what string) {
	if err := b.m.bounded(s.ctx, OpDelete, func(ctx context.Context) error { return b.store.Delete(ctx, key) }); err != nil {
		b.m.Logger.LogAttrs(s.ctx, slog.LevelWarn, "session: delete "+what, slog.Any("error", err))
	}
}

// saveExisting writes the request's changes over the record with
// compare-and-swap, replaying them on a fresh copy after each conflict.
func (b *serverBackend) saveExisting(s *Session, h http.Header) error {
	m := b.m
	if link, index := s.prepareUser(false); index {
		if err := m.indexAdd(s.ctx, link.ID, s.key, m.expiry(s.values).age); err != nil {
			return err
		}
	}
	for attempt := 0; ; attempt++ {
		empty := isEmpty(s.values)
		var rec Record
		var err error
		if empty {
			rec, err = m.deadRecord(s.version)
		} else {
			rec, err = m.record(s.values, s.version)
		}
		if err != nil {
			return err
		}
		v, err := b.update(s, s.key, rec)
		if err == nil {
			if empty {
				// The session was emptied and nobody changed it meanwhile:
				// the record is dead; remove it and the cookie.
				b.delete(s, s.key, "emptied record")
				s.key, s.st = "", stateFresh
				s.deleteCookie(h)
				return nil
			}
			s.version = v
			return s.setCookie(h, s.key, s.values)
		}
		if err := b.resolve(s, err, attempt); err != nil {
			return err
		}
	}
}

// saveCycled moves the session to a new key: it creates the new record,
// then retires the old one with compare-and-swap so that a change a
// concurrent request made to the old record in between is carried over,
// never lost; then deletes the old record.
func (b *serverBackend) saveCycled(s *Session, h http.Header) error {
	m := b.m
	if isEmpty(s.values) {
		s.pending.cycle = false
		return b.saveExisting(s, h)
	}
	oldKey := s.key
	newKey, newVersion, err := b.create(s)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		dead, err := m.deadRecord(s.version)
		if err != nil {
			return err
		}
		_, err = b.update(s, oldKey, dead)
		if err == nil {
			break
		}
		if err := b.resolve(s, err, attempt); err != nil {
			b.delete(s, newKey, "unused new record") // best effort: nobody knows this key
			return err
		}
		rec, err := m.record(s.values, newVersion)
		if err != nil {
			return err
		}
		if newVersion, err = b.update(s, newKey, rec); err != nil {
			return fmt.Errorf("session: save: %w", err)
		}
	}
	b.delete(s, oldKey, "retired record")
	if user := storedUser(s.values, nil); user != "" && m.users() != nil {
		m.indexRemove(s.ctx, user, oldKey)
	}
	s.key, s.version = newKey, newVersion
	return s.setCookie(h, newKey, s.values)
}

// resolve handles a failed Update of s.key: after a conflict it reloads the
// record and replays the request's changes on it (s.values and s.version
// then reflect the fresh copy); any other failure is returned. A replay
// that would blindly overwrite a value this request read and another
// request has changed since fails with ErrStaleRead instead: that change
// would otherwise be lost without anybody knowing.
func (b *serverBackend) resolve(s *Session, err error, attempt int) error {
	m := b.m
	switch {
	case errors.Is(err, ErrNotFound):
		return ErrInterrupted
	case !errors.Is(err, ErrConflict):
		return fmt.Errorf("session: save: %w", err)
	case attempt >= m.MaxRetries:
		return ErrTooManyConflicts
	}
	m.event(s.ctx, slog.LevelDebug, EventConflictRetry, "session: compare-and-swap lost to a concurrent request; replaying",
		slog.Int("attempt", attempt+1))
	if attempt > 0 {
		if err := backoff(s.ctx, attempt); err != nil {
			return err
		}
	}
	var fresh Record
	err = m.bounded(s.ctx, OpLoad, func(ctx context.Context) (err error) {
		fresh, err = b.store.Load(ctx, s.key)
		return err
	})
	if errors.Is(err, ErrNotFound) || err == nil && !fresh.Expiry.After(m.Now()) {
		return ErrInterrupted
	}
	if err != nil {
		return fmt.Errorf("session: reload: %w", err)
	}
	values := map[string][]byte{}
	if data, err := m.sealer.open(s.key, fresh.Data); err != nil {
		m.event(s.ctx, slog.LevelWarn, EventRecordRejected, "session: record does not open; starting empty", slog.Any("error", err))
	} else if vals, err := m.Codec.Decode(data); err != nil {
		m.event(s.ctx, slog.LevelWarn, EventRecordRejected, "session: record does not decode; starting empty", slog.Any("error", err))
	} else {
		values = vals
	}
	return s.rebase(values, fresh.Version)
}

// rebase makes values (a newer copy of the record, at version) the base
// of the request's changes: it replays them on it, unless a replay would
// blindly overwrite a value this request read and that has changed since
// (ErrStaleRead). values becomes s.values.
func (s *Session) rebase(values map[string][]byte, version Version) error {
	if key, stale := s.reads.conflicting(s.pending.ops, values); stale {
		return fmt.Errorf("%w (key %q)", ErrStaleRead, key)
	}
	for i := range s.pending.ops {
		if err := s.pending.ops[i].apply(values); err != nil {
			return err
		}
	}
	s.values, s.version = values, version
	return nil
}

// backoff waits a random while (up to 1, 2, 4 ... 32 ms) before retry
// attempt, so that writers in other processes that keep winning spread out.
func backoff(ctx context.Context, attempt int) error {
	ceiling := time.Duration(1<<min(attempt-1, 5)) * time.Millisecond
	t := time.NewTimer(rand.N(ceiling) + time.Millisecond/4)
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		t.Stop()
		return fmt.Errorf("session: save: %w", ctx.Err())
	}
}
