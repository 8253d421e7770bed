package session

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
)

// Session is one request's view of a user's session, got with From. It is
// loaded from the store on first use and saved by the middleware.
//
// Values are stored encoded: Get decodes a fresh copy each time, and Set
// encodes the value at once. Changing a value you got (a slice, a map, a
// struct) changes nothing in the session until you Set it again, so there
// is no way to change a session by accident or without saving it. Update
// reads, changes and stores a value in one step and survives concurrent
// requests.
//
// A Session is safe for concurrent use by the handler's goroutines. Its
// methods on a nil *Session (a request without the middleware) return
// ErrNoMiddleware.
type Session struct {
	// The middleware allocates the Session with its response writer and
	// the request's copy, in one object that every request pays for:
	// keep the fields few and small (the small ones together).
	mu        sync.Mutex
	inFn      atomic.Bool // an Update function is running (with mu held)
	st        state       // what is known of the record (state.go)
	sealed    bool        // committed: the response's headers are out
	hadCookie bool        // the request carried a session cookie
	m         *Manager
	ctx       context.Context
	req       *http.Request // the request the handler got (for proxy.IsHTTPS)

	cookieValue string  // the cookie's value when usable: a well-formed key, or a sealed session
	key         string  // key of the record this request works on; "" for none
	version     Version // its version, as loaded (stateStored)
	err         error   // why the load failed (stateBroken)

	values map[string][]byte // encoded values, after this request's ops
	lazy   []byte            // a loaded JSON record not split into values yet

	pending pending // what the request changed
	reads   reads   // what it read before changing it
}

// load reads the record on first use and reports a failed load. The
// caller holds s.mu.
func (s *Session) load() error {
	if s.st == stateUnread {
		s.m.backend.load(s)
		s.checkIdle()
	}
	return s.err
}

// usable reports why a mutating method cannot run: no middleware, or a
// call from inside an Update function.
func (s *Session) usable() error {
	if s == nil {
		return ErrNoMiddleware
	}
	if s.reentrant() {
		return ErrReentrant
	}
	return nil
}

// reentrant reports (and logs) a session method called from inside an
// Update function, which runs with the session locked: answering would
// deadlock.
func (s *Session) reentrant() bool {
	if !s.inFn.Load() {
		return false
	}
	s.m.event(s.ctx, slog.LevelError, EventMisuse, "session: used from inside an Update function")
	return true
}

// needsNewCookie reports whether saving the session now would send a new
// cookie value (a new key, a cycled or flushed one, or a cookie-kept
// session that changed).
func (s *Session) needsNewCookie() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending.modified() && s.m.backend.newCookie(s)
}

// lookup returns the encoded value under key. The caller holds s.mu and
// has loaded the session.
func (s *Session) lookup(key string) ([]byte, bool) {
	if s.lazy != nil {
		return lookupMember(s.lazy, key)
	}
	v, ok := s.values[key]
	return v, ok
}

// read is lookup for the handler: it also records what the request saw,
// so that a Set computed from it is never replayed blindly over another
// request's change (see reads).
func (s *Session) read(key string) ([]byte, bool) {
	raw, ok := s.lookup(key)
	if s.st == stateStored {
		s.reads.note(key, raw, ok, s.pending.ops)
	}
	return raw, ok
}

// materialize splits a lazily kept record into s.values. The caller holds
// s.mu and has loaded the session.
func (s *Session) materialize() {
	if s.lazy == nil {
		return
	}
	vals, err := splitObject(s.lazy) // validated when loaded: cannot fail
	if err != nil {
		vals = map[string][]byte{}
	}
	s.values, s.lazy = vals, nil
}

// writable reports (and logs) a change attempted after the session was
// saved. The caller holds s.mu.
func (s *Session) writable() error {
	if s.sealed {
		s.m.event(s.ctx, slog.LevelError, EventMisuse, "session: change after the response headers were written")
		return ErrCommitted
	}
	return nil
}

// change records op after checking the session can still change, and
// applies it to the request's view.
func (s *Session) change(o op) error {
	if err := s.writable(); err != nil {
		return err
	}
	if err := s.load(); err != nil {
		return err
	}
	s.materialize()
	if err := o.apply(s.values); err != nil {
		return err
	}
	s.pending.ops = append(s.pending.ops, o)
	return nil
}

// Get decodes the value stored under key into dst (a pointer) and reports
// whether there was one. dst receives a copy: changing it does not change
// the session.
func (s *Session) Get(key string, dst any) (bool, error) {
	raw, ok, err := s.raw(key)
	if err != nil || !ok {
		return ok, err
	}
	if err := s.m.Codec.DecodeValue(raw, dst); err != nil {
		return true, fmt.Errorf("session: get %q: %w", key, err)
	}
	return true, nil
}

// raw returns the encoded value under key, for Get and Value.
func (s *Session) raw(key string) ([]byte, bool, error) {
	if s == nil {
		return nil, false, ErrNoMiddleware
	}
	if s.reentrant() {
		return nil, false, ErrReentrant
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return nil, false, err
	}
	raw, ok := s.read(key)
	return raw, ok, nil
}

// Value returns the value stored under key as a T, and whether there was
// one. A value that cannot be decoded as a T (or a store failure) gives the
// zero T and false, and is logged.
func Value[T any](s *Session, key string) (T, bool) {
	var v T
	raw, ok, err := s.raw(key)
	if err == nil && ok {
		// JSON's plain strings, integers and booleans decode into v
		// itself; anything else through the codec (a pointer passed to an
		// interface method escapes to the heap).
		if _, js := s.m.Codec.(JSONCodec); !js || !decodePlain(raw, &v) {
			p := new(T)
			if derr := s.m.Codec.DecodeValue(raw, p); derr != nil {
				err = fmt.Errorf("session: get %q: %w", key, derr)
			}
			v = *p
		}
	}
	if err != nil {
		if s != nil {
			s.m.Logger.LogAttrs(s.ctx, slog.LevelWarn, "session: value unreadable",
				slog.String("key", key), slog.Any("error", err))
		}
		var zero T
		return zero, false
	}
	return v, ok
}

// Set stores v under key. v is encoded at once: later changes to v are not
// seen by the session.
func (s *Session) Set(key string, v any) error {
	if err := s.usable(); err != nil {
		return err
	}
	raw, err := s.m.Codec.EncodeValue(v)
	if err != nil {
		return fmt.Errorf("session: set %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.change(op{kind: opSet, key: key, raw: raw})
}

// Delete removes key from the session. Deleting a missing key changes
// nothing.
func (s *Session) Delete(key string) error {
	return s.mutate(func() error {
		if err := s.load(); err != nil {
			return err
		}
		if _, ok := s.lookup(key); !ok {
			return nil
		}
		return s.change(op{kind: opDelete, key: key})
	})
}

// Update replaces the value under key with fn's result and returns it. fn
// gets the current value, or the zero T when there is none. When a
// concurrent request changed the session before this one is saved, fn runs
// again on the fresh value, so fn must compute its result from its argument
// only (no side effects): 100 concurrent Update calls adding one to a
// counter leave it 100 higher. The returned value is fn's result on the
// state this request saw; the stored one may differ after such a replay.
// fn must not use the session: it runs with the session locked, and the
// session's methods called from it fail with ErrReentrant.
func Update[T any](s *Session, key string, fn func(T) T) (T, error) {
	v, _, err := UpdateOrDelete(s, key, func(v T, _ bool) (T, bool) { return fn(v), true })
	return v, err
}

// UpdateOrDelete is Update for values that can go away: fn gets the
// current value and whether there is one, and returns the new value and
// whether to keep it; keep=false deletes the key. Like Update's, fn runs
// again on the fresh value when a concurrent request changed the session,
// so the decision to delete is taken on the state that is saved: a queue
// emptied by this request but refilled by another one in the meantime is
// kept. It returns fn's result on the state this request saw.
func UpdateOrDelete[T any](s *Session, key string, fn func(v T, ok bool) (T, bool)) (T, bool, error) {
	var result T
	var kept bool
	if s == nil {
		return result, false, ErrNoMiddleware
	}
	if s.reentrant() {
		return result, false, ErrReentrant
	}
	codec := s.m.Codec
	first := true
	update := func(raw []byte, ok bool) ([]byte, bool, error) {
		var v T
		if ok {
			if err := codec.DecodeValue(raw, &v); err != nil {
				return nil, false, err
			}
		}
		var out T
		var keep bool
		func() {
			s.inFn.Store(true)
			defer s.inFn.Store(false)
			out, keep = fn(v, ok)
		}()
		if first {
			result, kept, first = out, keep, false
		}
		if !keep {
			return nil, false, nil
		}
		raw, err := codec.EncodeValue(out)
		return raw, true, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.change(op{kind: opUpdate, key: key, update: update}); err != nil {
		var zero T
		return zero, false, err
	}
	return result, kept, nil
}

// inspect runs fn on the loaded session, locked, for the methods that only
// read it: a nil Session or a call from inside an Update function gives
// the zero T, a failed load gives failed.
func inspect[T any](s *Session, failed T, fn func() T) T {
	if s == nil || s.reentrant() {
		var zero T
		return zero
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.load() != nil {
		return failed
	}
	return fn()
}

// mutate runs fn with the session locked, for the methods that change its
// key or its whole content: a nil Session, a call from inside an Update
// function and a change after the headers went out fail instead.
func (s *Session) mutate(fn func() error) error {
	if err := s.usable(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	return fn()
}

// Has reports whether key is in the session.
func (s *Session) Has(key string) bool {
	return inspect(s, false, func() bool {
		_, ok := s.read(key)
		return ok
	})
}

// Keys returns the session's keys in order, without the keys the session
// keeps for itself (its expiry setting, its last use, its user).
func (s *Session) Keys() []string {
	return inspect(s, nil, func() []string {
		s.materialize()
		keys := make([]string, 0, len(s.values))
		for k := range s.values {
			if !hiddenKey(k) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		return keys
	})
}

// Flush empties the session and deletes its record: the next save, if
// anything is stored again, uses a new key, and the old key stops working
// at once, also for concurrent requests. Call it on logout.
func (s *Session) Flush() error {
	return s.mutate(func() error {
		if s.key != "" {
			s.pending.retire = append(s.pending.retire, retired{key: s.key, user: storedUser(s.values, s.lazy)})
		}
		s.st, s.key, s.version, s.err = stateFresh, "", 0, nil
		s.values, s.lazy = map[string][]byte{}, nil
		s.pending.ops, s.pending.cycle, s.pending.flush = nil, false, true
		s.reads.reset()
		return nil
	})
}

// CycleKey moves the session's data to a new key and deletes the record
// under the old one, which stops working. Call it on login, so a key
// planted by an attacker before the login (session fixation) is worthless
// after it.
func (s *Session) CycleKey() error {
	return s.mutate(func() error {
		if err := s.load(); err != nil {
			return err
		}
		s.pending.cycle = true
		return nil
	})
}

// Modified reports whether the request changed the session (it will be
// saved).
func (s *Session) Modified() bool {
	if s == nil {
		return false
	}
	if s.reentrant() {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending.modified()
}
