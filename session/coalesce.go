package session

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
)

// Commits of one session that queue in this process are coalesced: the
// commit that gets the key's lock takes the plain ones waiting behind it
// (changes to an existing record: no CycleKey, no Flush, no per-user index
// step), applies their changes after its own, in the order they arrived,
// and writes the record once for all of them. On a hot session (a burst of
// htmx requests, a double-clicked form) N queued requests then cost one
// store write instead of N, each one still refused on its own when its
// reads went stale (ErrStaleRead) or its Update function failed. Whatever
// goes wrong with the shared write (a conflict with another process, the
// record gone, a store error) sends every rider back to commit alone, in
// the usual way, so the outcome is never worse than without coalescing.

// joiner is a commit waiting for its key's lock, which the holder may
// write along with its own.
type joiner struct {
	s    *Session
	done chan joinResult // receives one result when a holder took it
}

// joinResult is what a holder did with a joiner: wrote it (err nil, the
// joiner's values and version are the written record's), refused it
// (err), or left it to commit alone.
type joinResult struct {
	err   error
	alone bool
}

// coalescible reports whether s's commit can ride on another's write: a
// stored record, changed, with nothing but value changes.
func (s *Session) coalescible() bool {
	p := &s.pending
	if s.st != stateStored || p.cycle || p.flush || len(p.retire) > 0 || len(p.ops) == 0 {
		return false
	}
	_, due := s.indexDue(false)
	return !due && !isEmpty(s.values)
}

// join queues s's commit on key's lock. It returns the held lock when s
// got it (and then must write), or the result a holder gave it.
func (l *keyLocks) join(ctx context.Context, key string, s *Session) (*heldLock, *joiner, joinResult, error) {
	k := l.acquire(key)
	j := &joiner{s: s, done: make(chan joinResult, 1)}
	k.jmu.Lock()
	k.queue = append(k.queue, j)
	k.jmu.Unlock()
	select {
	case k.ch <- struct{}{}:
		// The previous holder may have written s and then unlocked: its
		// result was sent before the unlock, so it is there now.
		select {
		case r := <-j.done:
			<-k.ch
			l.release(key, k)
			return nil, nil, r, nil
		default:
		}
		return &heldLock{l: l, key: key, k: k}, j, joinResult{}, nil
	case r := <-j.done:
		l.release(key, k)
		return nil, nil, r, nil
	case <-ctx.Done():
		k.jmu.Lock()
		i := slices.Index(k.queue, j)
		if i >= 0 {
			k.queue = slices.Delete(k.queue, i, i+1)
		}
		k.jmu.Unlock()
		if i < 0 {
			// A holder took it already and will answer.
			r := <-j.done
			l.release(key, k)
			return nil, nil, r, nil
		}
		l.release(key, k)
		return nil, nil, joinResult{}, ctx.Err()
	}
}

// riders takes the commits queued behind the holder (itself left out).
func (h *heldLock) riders(self *joiner) []*joiner {
	h.k.jmu.Lock()
	defer h.k.jmu.Unlock()
	var out []*joiner
	for _, j := range h.k.queue {
		if j != self {
			out = append(out, j)
		}
	}
	h.k.queue = nil
	return out
}

// saveCoalesced is save for a coalescible session: it joins the queue of
// its key and either finds itself written by the holder, or holds the
// lock and writes its own changes and those of the commits queued behind
// it at once.
func (b *serverBackend) saveCoalesced(s *Session, h http.Header) error {
	held, self, r, err := b.locks.join(s.ctx, s.key, s)
	if err != nil {
		return fmt.Errorf("session: save: %w", err)
	}
	if held == nil {
		switch {
		case r.alone:
			return b.saveLocked(s, h)
		case r.err != nil:
			return r.err
		}
		return s.setCookie(h, s.key, s.values)
	}
	defer held.unlock()
	if w := held.last(); w != nil && w.version != s.version {
		if err := s.rebase(maps.Clone(w.values), w.version); err != nil {
			sendAlone(held.riders(self))
			return err
		}
	}
	riders := held.riders(self)
	if len(riders) == 0 {
		return b.saveAndHandOff(s, h, held)
	}
	answered := make([]bool, len(riders))
	answer := func(i int, r joinResult) {
		answered[i] = true
		riders[i].done <- r
	}
	defer func() {
		// Whatever happens here, no rider is left waiting.
		if p := recover(); p != nil {
			for i := range riders {
				if !answered[i] {
					answer(i, joinResult{alone: true})
				}
			}
			panic(p)
		}
	}()
	merged := maps.Clone(s.values)
	var aboard []int
	for i, j := range riders {
		o := j.s
		if !o.coalescible() {
			answer(i, joinResult{alone: true})
			continue
		}
		if key, stale := o.reads.conflicting(o.pending.ops, merged); stale {
			answer(i, joinResult{err: fmt.Errorf("%w (key %q)", ErrStaleRead, key)})
			continue
		}
		next := maps.Clone(merged)
		if err := applyAll(o.pending.ops, next); err != nil {
			answer(i, joinResult{err: err})
			continue
		}
		merged, aboard = next, append(aboard, i)
	}
	if len(aboard) == 0 {
		return b.saveAndHandOff(s, h, held)
	}
	rec, err := b.m.record(merged, s.version)
	if err == nil {
		var v Version
		if v, err = b.update(s, s.key, rec); err == nil {
			for _, i := range aboard {
				riders[i].s.values, riders[i].s.version = merged, v
				answer(i, joinResult{})
			}
			s.values, s.version = merged, v
			held.wrote(&written{version: v, values: merged})
			return s.setCookie(h, s.key, s.values)
		}
	}
	// The shared write failed (most often another process changed the
	// record): everyone commits alone, this one first.
	for _, i := range aboard {
		answer(i, joinResult{alone: true})
	}
	if !errors.Is(err, ErrConflict) && !errors.Is(err, ErrNotFound) {
		held.wrote(nil)
		return fmt.Errorf("session: save: %w", err)
	}
	return b.saveAndHandOff(s, h, held)
}

// sendAlone tells joiners to commit by themselves.
func sendAlone(js []*joiner) {
	for _, j := range js {
		j.done <- joinResult{alone: true}
	}
}

// applyAll applies another request's ops to values in order. An Update
// function of that request that panics fails that request only.
func applyAll(ops []op, values map[string][]byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("session: an update function panicked: %v", p)
		}
	}()
	for i := range ops {
		if err := ops[i].apply(values); err != nil {
			return err
		}
	}
	return nil
}
