package session

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// indexMarker is a key present in every per-user index record and never
// in a session: a record that has it is never loaded as a session, even
// if a client presented the index's key as its session key.
const indexMarker = "_tether_index"

// quotedIndexMarker is indexMarker as a JSON member name.
var quotedIndexMarker = []byte(`"` + indexMarker + `"`)

// Durable is a Store that keeps every live record until it expires: it
// never evicts one to make room. SQL tables, session files, Redis (with
// its default noeviction policy) and the memory store are durable;
// memcached is not (it drops items under memory pressure), so
// memcachestore has no Durable method and NewUserIndex does not accept it.
// A per-user index kept in a store that may lose it would hide sessions
// from RevokeUser.
type Durable interface {
	Store
	// Durable marks the store as one that keeps live records.
	Durable()
}

// UserIndex keeps, for each user, the sessions that belong to them
// (Session.SetUser), so that Manager.SessionsOf lists them and
// Manager.RevokeUser ends them at once: "sign out everywhere else", as
// needed after a password change.
//
// The index lives in a Store (usually the Manager's own) as one record per
// user, under a key derived from the user ID with the Manager's SecretKey
// (so nobody can name it without the key) and sealed like the sessions.
// At rest it shows the expiry and a keyed hash in place of the user ID;
// the session keys in it are sealed.
//
// The index is a superset of the user's live sessions, which is what
// revocation needs: a session is added to it before the record that links
// it to the user is written, and removed only after that record is gone.
// A crash between the two steps leaves an entry that names no session,
// which listing drops. The index record outlives every session in it (its
// expiry is pushed ahead whenever a session would outlive it).
type UserIndex struct {
	store Durable
}

// NewUserIndex returns an index kept in store. Give it to Manager.Users;
// the Manager must have a SecretKey.
func NewUserIndex(store Durable) *UserIndex { return &UserIndex{store: store} }

// userIndexData is an index record's content.
type userIndexData struct {
	Marker   bool             `json:"_tether_index"`
	Sessions map[string]int64 `json:"sessions"` // session key -> Unix seconds it was added
}

// users returns the index, or nil when the Manager cannot keep one.
func (m *Manager) users() *UserIndex {
	if m.Users == nil || m.sealer == nil || m.CookieStore != nil {
		return nil
	}
	return m.Users
}

// indexKey is the record key of user's index: 32 characters of the session
// key alphabet, from an HMAC of the user ID under a key derived from the
// SecretKey, so a client can neither guess nor forge it.
func (m *Manager) indexKey(user string) string { return m.indexKeyWith(m.indexSecrets[0], user) }

// indexKeys are the keys user's index may be under: the current one, then
// those derived from the fallback keys (an index written before a
// rotation). New entries go to the current one; listing reads them all,
// and removals apply to them all, so a rotation hides no session from
// RevokeUser and the old indexes empty out as their sessions end.
func (m *Manager) indexKeys(user string) []string {
	keys := make([]string, len(m.indexSecrets))
	for i, secret := range m.indexSecrets {
		keys[i] = m.indexKeyWith(secret, user)
	}
	return keys
}

func (m *Manager) indexKeyWith(secret []byte, user string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("tether.session.user-index\x00" + user))
	sum := mac.Sum(nil)
	var b [KeyLength]byte
	for i := range b {
		b[i] = keyAlphabet[int(sum[i%len(sum)]^byte(i/len(sum)*131))%len(keyAlphabet)]
	}
	return string(b[:])
}

// indexLifetime is how long an index record is kept after a write: three
// times the longest a session in it can live, so that a session written
// now never outlives it (see prepareUser).
func (m *Manager) indexLifetime(age time.Duration) time.Duration {
	return 3 * max(m.MaxAge, age)
}

// updateIndex applies change to user's index with compare-and-swap,
// creating or deleting the record as needed.
func (m *Manager) updateIndex(ctx context.Context, key string, age time.Duration, change func(d *userIndexData)) error {
	ix := m.users()
	for attempt := 0; attempt <= m.MaxRetries; attempt++ {
		var rec Record
		err := m.bounded(ctx, OpLoad, func(ctx context.Context) (err error) {
			rec, err = ix.store.Load(ctx, key)
			return err
		})
		exists := err == nil
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("session: user index: %w", err)
		}
		d := userIndexData{Sessions: map[string]int64{}}
		if exists {
			if data, err := m.sealer.open(key, rec.Data); err == nil {
				json.Unmarshal(data, &d)
				if d.Sessions == nil {
					d.Sessions = map[string]int64{}
				}
			} else {
				m.event(ctx, slog.LevelWarn, EventRecordRejected, "session: user index does not open; rebuilding it", slog.Any("error", err))
			}
		}
		change(&d)
		d.Marker = true
		data, _ := json.Marshal(d)
		next := Record{Data: m.sealer.seal(key, data), Expiry: m.Now().Add(m.indexLifetime(age)), Version: rec.Version}
		if exists && rec.Expiry.After(next.Expiry) {
			next.Expiry = rec.Expiry // never shorten it
		}
		if len(d.Sessions) == 0 {
			next.Expiry = m.Now().Add(-time.Second)
		}
		switch {
		case exists:
			err = m.bounded(ctx, OpUpdate, func(ctx context.Context) error {
				_, err := ix.store.Update(ctx, key, next)
				return err
			})
		case len(d.Sessions) == 0:
			return nil
		default:
			err = m.bounded(ctx, OpCreate, func(ctx context.Context) error {
				_, err := ix.store.Create(ctx, key, next)
				return err
			})
		}
		switch {
		case err == nil:
			return nil
		case errors.Is(err, ErrConflict), errors.Is(err, ErrExists), errors.Is(err, ErrNotFound):
			continue // somebody else changed it: read it again
		default:
			return fmt.Errorf("session: user index: %w", err)
		}
	}
	return ErrTooManyConflicts
}

// indexAdd adds session key to user's index.
func (m *Manager) indexAdd(ctx context.Context, user, key string, age time.Duration) error {
	return m.updateIndex(ctx, m.indexKey(user), age, func(d *userIndexData) { d.Sessions[key] = m.Now().Unix() })
}

// indexRemove removes session keys from user's index. A failure only
// leaves an entry that names no session, which listing drops: it is
// logged, not returned.
func (m *Manager) indexRemove(ctx context.Context, user string, keys ...string) {
	for _, ik := range m.indexKeys(user) {
		err := m.updateIndex(ctx, ik, 0, func(d *userIndexData) {
			for _, k := range keys {
				delete(d.Sessions, k)
			}
		})
		if err != nil {
			m.event(ctx, slog.LevelWarn, EventStoreError, "session: user index: remove", slog.Any("error", err))
		}
	}
}

// indexed returns the session keys in user's index, under every key it
// may be (indexKeys).
func (m *Manager) indexed(ctx context.Context, user string) ([]string, error) {
	if m.users() == nil {
		return nil, ErrNoUserIndex
	}
	var all []string
	for _, key := range m.indexKeys(user) {
		keys, err := m.indexedAt(ctx, key)
		if err != nil {
			return nil, err
		}
		all = append(all, keys...)
	}
	slices.Sort(all)
	return slices.Compact(all), nil
}

// indexedAt returns the session keys in the index record under key.
func (m *Manager) indexedAt(ctx context.Context, key string) ([]string, error) {
	ix := m.users()
	var rec Record
	err := m.bounded(ctx, OpLoad, func(ctx context.Context) (err error) {
		rec, err = ix.store.Load(ctx, key)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("session: user index: %w", err)
	}
	data, err := m.sealer.open(key, rec.Data)
	if err != nil {
		return nil, fmt.Errorf("session: user index: %w", err)
	}
	var d userIndexData
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("session: user index: %w", err)
	}
	keys := make([]string, 0, len(d.Sessions))
	for k := range d.Sessions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}

// prepareUser runs before a server save of a session linked to a user. It
// reports whether the key being written must first be added to the index:
// always for a new key (a new session, CycleKey), and for an existing one
// when the link changed in this request or the session would outlive the
// index record's last known expiry (then the link's Until is pushed ahead,
// in the values about to be saved). The caller holds s.mu.
func (s *Session) prepareUser(newKey bool) (userLink, bool) {
	l, due := s.indexDue(newKey)
	if !due {
		return l, false
	}
	m := s.m
	e := m.expiry(s.values)
	l.Until = m.Now().Add(m.indexLifetime(e.age)).Unix()
	raw, _ := json.Marshal(l)
	o := op{kind: opSet, key: userKey, raw: raw}
	o.apply(s.values)
	s.pending.ops = append(s.pending.ops, o)
	return l, true
}

// indexDue is prepareUser's decision, without its change: the user link
// in the request's values, and whether the key must be added to the index
// before the write.
func (s *Session) indexDue(newKey bool) (userLink, bool) {
	m := s.m
	if m.users() == nil {
		return userLink{}, false
	}
	raw, ok := s.values[userKey]
	l, ok := parseLink(raw, ok)
	if !ok {
		return userLink{}, false
	}
	e := m.expiry(s.values)
	changed := slices.ContainsFunc(s.pending.ops, func(o op) bool { return o.key == userKey })
	return l, newKey || changed || !time.Unix(l.Until, 0).After(e.at.Add(e.age))
}

// storedUser is the user linked in a stored record's values, for the
// index removals after a record is retired.
func storedUser(values map[string][]byte, lazy []byte) string {
	var raw []byte
	var ok bool
	if lazy != nil {
		raw, ok = lookupMember(lazy, userKey)
	} else {
		raw, ok = values[userKey]
	}
	l, _ := parseLink(raw, ok)
	return l.ID
}

// isIndex reports whether loaded values are a per-user index record,
// never to be used as a session.
func isIndex(values map[string][]byte, lazy []byte) bool {
	if lazy != nil {
		// Index records are written by encoding/json, which spells the
		// marker plainly: a record without those bytes is not one, and a
		// read-only request is spared a second scan of its record.
		if !bytes.Contains(lazy, quotedIndexMarker) {
			return false
		}
		_, ok := lookupMember(lazy, indexMarker)
		return ok
	}
	_, ok := values[indexMarker]
	return ok
}

// SessionsOf lists user's live sessions, oldest first. Index entries
// whose session has ended (expired, revoked, logged out, linked to
// another user since) are dropped from the index on the way.
func (m *Manager) SessionsOf(ctx context.Context, user string) ([]Device, error) {
	m.init()
	keys, err := m.indexed(ctx, user)
	if err != nil {
		return nil, err
	}
	var devices []Device
	var gone []string
	for _, key := range keys {
		d, ok, err := m.device(ctx, user, key)
		if err != nil {
			return nil, err
		}
		if !ok {
			gone = append(gone, key)
			continue
		}
		devices = append(devices, d)
	}
	if len(gone) > 0 {
		m.indexRemove(ctx, user, gone...)
	}
	slices.SortFunc(devices, func(a, b Device) int { return a.Created.Compare(b.Created) })
	return devices, nil
}

// device loads the session under key and describes it, if it is live and
// still user's.
func (m *Manager) device(ctx context.Context, user, key string) (Device, bool, error) {
	var rec Record
	err := m.bounded(ctx, OpLoad, func(ctx context.Context) (err error) {
		rec, err = m.Store.Load(ctx, key)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return Device{}, false, nil
	}
	if err != nil {
		return Device{}, false, fmt.Errorf("session: sessions of a user: %w", err)
	}
	data, err := m.sealer.open(key, rec.Data)
	if err != nil || !rec.Expiry.After(m.Now()) {
		return Device{}, false, nil
	}
	values, err := m.Codec.Decode(data)
	if err != nil {
		return Device{}, false, nil
	}
	raw, ok := values[userKey]
	l, ok := parseLink(raw, ok)
	if !ok || l.ID != user {
		return Device{}, false, nil
	}
	d := Device{ID: HashKey(key), Created: time.Unix(l.Created, 0), Expiry: rec.Expiry, UserAgent: l.Agent, IP: l.IP}
	if seen, ok := values[seenKey]; ok {
		var secs int64
		if json.Unmarshal(seen, &secs) == nil {
			d.LastSeen = time.Unix(secs, 0)
		}
	}
	return d, true, nil
}

// Revoke ends the session of user whose ID (Device.ID) is id, at once:
// its record is deleted, so its next request, on any instance, finds no
// session. Revoking a session that has already ended is not an error.
func (m *Manager) Revoke(ctx context.Context, user, id string) error {
	m.init()
	keys, err := m.indexed(ctx, user)
	if err != nil {
		return err
	}
	for _, key := range keys {
		if HashKey(key) == id {
			_, err := m.revoke(ctx, user, []string{key})
			return err
		}
	}
	return nil
}

// RevokeUser ends every session of user but those whose IDs are in
// except (typically the current one: Session.ID), and returns how many
// live sessions it ended (index entries of sessions already gone are only
// dropped). Call it after a password change.
func (m *Manager) RevokeUser(ctx context.Context, user string, except ...string) (int, error) {
	m.init()
	keys, err := m.indexed(ctx, user)
	if err != nil {
		return 0, err
	}
	var ending []string
	for _, key := range keys {
		if !slices.Contains(except, HashKey(key)) {
			ending = append(ending, key)
		}
	}
	return m.revoke(ctx, user, ending)
}

// revoke deletes the sessions under keys that belong to user, then their
// index entries. An entry whose session is gone or linked to someone else
// is only dropped: the index is never trusted to name another user's
// session.
func (m *Manager) revoke(ctx context.Context, user string, keys []string) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	ended := 0
	for _, key := range keys {
		if _, ok, err := m.device(ctx, user, key); err != nil {
			return ended, fmt.Errorf("session: revoke: %w", err)
		} else if !ok {
			continue
		}
		err := m.bounded(ctx, OpDelete, func(ctx context.Context) error { return m.Store.Delete(ctx, key) })
		if err != nil {
			return ended, fmt.Errorf("session: revoke: %w", err)
		}
		ended++
		m.event(ctx, slog.LevelInfo, EventRevoked, "session: revoked", slog.String("session", HashKey(key)[:16]))
	}
	m.indexRemove(ctx, user, keys...)
	return ended, nil
}
