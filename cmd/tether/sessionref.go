package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tetherweb/tether/internal/storeid"
	"github.com/tetherweb/tether/session"
)

// errNoRecord reports an ID or key under which no live record is stored.
var errNoRecord = errors.New("no live session with that ID")

// ref is a record as the CLI addresses it: by its session key when the
// store keeps plain keys (Django's table, WithHashKeys(false)) or the
// operator gave the key, else by the hashed ID the store keeps.
type ref struct {
	key  string // the session key, or ""
	id   string // the stored ID for session.IDStore, when key is ""
	hash string // session.HashKey of the key: what listings show, and what sealed records are bound to
}

// shownID is what a listing prints for an entry: a stored ID that is a
// usable session key (a store keeping plain keys) is replaced by its hash.
func shownID(id string) string {
	if session.ValidKey(id) {
		return session.HashKey(id)
	}
	return id
}

// entryRef is the ref of a listed entry.
func entryRef(id string) ref {
	if session.ValidKey(id) {
		return ref{key: id, hash: session.HashKey(id)}
	}
	return ref{id: id, hash: id}
}

// records addresses the records of one store by ref.
type records struct {
	store session.Store
}

// ids returns the store's session.IDStore, or an error naming what it lacks.
func (r records) ids() (session.IDStore, error) {
	ids, ok := r.store.(session.IDStore)
	if !ok {
		return nil, fmt.Errorf("this store cannot address its records by the IDs it lists (no LoadID, UpdateID, DeleteID)")
	}
	return ids, nil
}

// resolve finds the record that arg names: a session key (as before), or
// an ID as `sessions list` shows it (the hash of the key). For a store
// keeping plain keys, a hash is looked up by listing the store (O(n)).
func (r records) resolve(ctx context.Context, arg string) (ref, session.Record, error) {
	if session.ValidKey(arg) {
		rf := ref{key: arg, hash: session.HashKey(arg)}
		rec, err := r.load(ctx, rf)
		return rf, rec, err
	}
	if !storeid.Valid(arg, true) {
		return ref{}, session.Record{}, fmt.Errorf("%q is not a session key (32 characters of a-z0-9) nor a session ID as `sessions list` shows it (64 hex digits)", clipArg(arg))
	}
	if ids, ok := r.store.(session.IDStore); ok {
		rec, err := ids.LoadID(ctx, arg)
		if err == nil {
			return ref{id: arg, hash: arg}, rec, nil
		}
		if !errors.Is(err, session.ErrNotFound) {
			return ref{}, session.Record{}, err
		}
	}
	key, err := r.plainKey(ctx, arg)
	if err != nil {
		return ref{}, session.Record{}, err
	}
	rf := ref{key: key, hash: arg}
	rec, err := r.load(ctx, rf)
	return rf, rec, err
}

// listPage is how many entries each List call of a walk asks for.
const listPage = 500

// walk calls each with every live entry of the store, a page at a time.
func (r records) walk(ctx context.Context, each func(e session.Entry) error) error {
	l, ok := r.store.(session.Lister)
	if !ok {
		return errors.New("this store cannot list its sessions")
	}
	after := ""
	for {
		page, err := l.List(ctx, after, listPage)
		if err != nil {
			return err
		}
		for _, e := range page {
			if err := each(e); err != nil {
				return err
			}
		}
		if len(page) < listPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// errFound stops a walk that found what it looked for.
var errFound = errors.New("found")

// plainKey returns the listed session key whose hash is hash, for stores
// that keep plain keys.
func (r records) plainKey(ctx context.Context, hash string) (string, error) {
	if _, ok := r.store.(session.Lister); !ok {
		return "", errNoRecord
	}
	var key string
	err := r.walk(ctx, func(e session.Entry) error {
		if session.ValidKey(e.ID) && session.HashKey(e.ID) == hash {
			key = e.ID
			return errFound
		}
		return nil
	})
	switch {
	case errors.Is(err, errFound):
		return key, nil
	case err != nil:
		return "", err
	}
	return "", errNoRecord
}

// load loads the record of rf; a missing one gives errNoRecord.
func (r records) load(ctx context.Context, rf ref) (session.Record, error) {
	var (
		rec session.Record
		err error
	)
	if rf.key != "" {
		rec, err = r.store.Load(ctx, rf.key)
	} else {
		var ids session.IDStore
		if ids, err = r.ids(); err != nil {
			return session.Record{}, err
		}
		rec, err = ids.LoadID(ctx, rf.id)
	}
	if errors.Is(err, session.ErrNotFound) {
		return session.Record{}, errNoRecord
	}
	return rec, err
}

// update replaces the record of rf if it is still at rec.Version.
func (r records) update(ctx context.Context, rf ref, rec session.Record) error {
	if rf.key != "" {
		_, err := r.store.Update(ctx, rf.key, rec)
		return err
	}
	ids, err := r.ids()
	if err != nil {
		return err
	}
	_, err = ids.UpdateID(ctx, rf.id, rec)
	return err
}

// remove deletes the record of rf.
func (r records) remove(ctx context.Context, rf ref) error {
	if rf.key != "" {
		return r.store.Delete(ctx, rf.key)
	}
	ids, err := r.ids()
	if err != nil {
		return err
	}
	return ids.DeleteID(ctx, rf.id)
}

// clipArg bounds an argument quoted in a message.
func clipArg(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
