package session

import (
	"bytes"
	"fmt"
)

// opKind tells what one recorded change does.
type opKind uint8

const (
	opSet opKind = iota
	opDelete
	opUpdate
)

// op is one recorded change. update ops re-run their function on the value
// found in a fresh copy of the record; it reports keep=false to delete the
// key instead.
type op struct {
	kind   opKind
	key    string
	raw    []byte
	update func(raw []byte, ok bool) (out []byte, keep bool, err error)
}

func (o *op) apply(values map[string][]byte) error {
	switch o.kind {
	case opSet:
		values[o.key] = o.raw
	case opDelete:
		delete(values, o.key)
	case opUpdate:
		old, ok := values[o.key]
		raw, keep, err := o.update(old, ok)
		if err != nil {
			return fmt.Errorf("session: update %q: %w", o.key, err)
		}
		if !keep {
			delete(values, o.key)
			return nil
		}
		values[o.key] = raw
	}
	return nil
}

// blind reports whether replaying o on a fresh record would overwrite the
// value there without looking at it (Set and Delete do; Update recomputes).
func (o *op) blind() bool { return o.kind != opUpdate }

// read is one value the request read from the stored record before it
// changed that key itself: what Get, Value or Has saw.
type read struct {
	key string
	raw []byte // the encoded value seen (shared with the record, never written to); nil: the key was not there
}

// emptyRaw is the raw value noted for a key that was there with an empty
// encoding (no codec makes one; a nil raw would read as missing).
var emptyRaw = []byte{}

// inlineReads is how many reads a Session records without allocating
// (three: a handler, the messages and the auth middleware's reads).
const inlineReads = 3

// reads is the set of values a request read before writing them. A
// handler that reads a value, computes a new one from it and Sets it (the
// tutorial's cart[id] += 1) must not have that Set replayed over a value
// another request changed in the meantime: the other request's change
// would be lost. The commit checks the fresh record against these reads
// before replaying (see conflicting).
type reads struct {
	inline [inlineReads]read
	n      int
	more   []read
}

// note records a read of key, unless key was already read or the request
// already changed it (then the read saw the request's own value).
func (rs *reads) note(key string, raw []byte, ok bool, ops []op) {
	if rs.find(key) != nil {
		return
	}
	for i := range ops {
		if ops[i].key == key {
			return
		}
	}
	if !ok {
		raw = nil
	} else if raw == nil {
		raw = emptyRaw
	}
	r := read{key: key, raw: raw}
	if rs.n < inlineReads {
		rs.inline[rs.n] = r
		rs.n++
		return
	}
	rs.more = append(rs.more, r)
}

// find returns the read of key, or nil.
func (rs *reads) find(key string) *read {
	for i := range rs.n {
		if rs.inline[i].key == key {
			return &rs.inline[i]
		}
	}
	for i := range rs.more {
		if rs.more[i].key == key {
			return &rs.more[i]
		}
	}
	return nil
}

// reset forgets every read (Flush: nothing read before it is kept).
func (rs *reads) reset() { *rs = reads{} }

// conflicting returns the first key that ops would blindly overwrite in
// fresh although this request read it and fresh now holds another value:
// replaying that Set or Delete would silently undo another request's
// change. It returns "", false when the replay loses nothing.
func (rs *reads) conflicting(ops []op, fresh map[string][]byte) (string, bool) {
	if rs.n == 0 {
		return "", false
	}
	for i := range ops {
		o := &ops[i]
		if !o.blind() {
			continue
		}
		r := rs.find(o.key)
		if r == nil {
			continue
		}
		now, ok := fresh[o.key]
		if ok != (r.raw != nil) || !bytes.Equal(now, r.raw) {
			return o.key, true
		}
	}
	return "", false
}
