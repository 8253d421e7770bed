package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/tetherweb/tether/proxy"
)

// userKey is where a session keeps the user it belongs to (SetUser).
const userKey = "_tether_user"

// maxClientInfo bounds the user agent and address a session records.
const maxClientInfo = 256

// userLink is the value under userKey.
type userLink struct {
	ID      string `json:"id"`
	Created int64  `json:"created"`         // Unix seconds of SetUser
	Until   int64  `json:"until,omitempty"` // the index record lives at least until then
	Agent   string `json:"ua,omitempty"`
	IP      string `json:"ip,omitempty"`
}

// ErrNoUserIndex reports a per-user operation on a Manager without a
// usable index: Manager.Users unset, no SecretKey, Django's codec (whose
// table Django reads) or a CookieStore (no server records to revoke).
var ErrNoUserIndex = errors.New("session: no per-user index (set Manager.Users and Manager.SecretKey, with a server Store, outside Django mode)")

// Device is one of a user's sessions, as SessionsOf lists them.
type Device struct {
	// ID identifies the session without being usable as its key
	// (HashKey of the key). Compare it with Session.ID to mark the
	// current one; give it to Revoke.
	ID        string
	Created   time.Time // when SetUser linked it
	LastSeen  time.Time // its last recorded use (IdleTimeout's stamp), else zero
	Expiry    time.Time // when it ends unless used
	UserAgent string    // with Manager.RecordClient
	IP        string    // with Manager.RecordClient
}

// SetUser links the session to a user (the application's user ID, not
// empty): SessionsOf lists it and RevokeUser can end it. Call it on login,
// with CycleKey. With Manager.RecordClient the session also records the
// request's user agent and client address, for listings.
func (s *Session) SetUser(id string) error {
	if id == "" {
		return errors.New("session: SetUser: empty user ID")
	}
	if err := s.usable(); err != nil {
		return err
	}
	link := userLink{ID: id, Created: s.m.Now().Unix()}
	if s.m.RecordClient && s.req != nil {
		link.Agent = clip(s.req.UserAgent(), maxClientInfo)
		if ip := proxy.ClientIP(s.req); ip.IsValid() {
			link.IP = ip.String()
		}
	}
	raw, err := json.Marshal(link)
	if err != nil {
		return fmt.Errorf("session: SetUser: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.change(op{kind: opSet, key: userKey, raw: raw})
}

// User returns the user SetUser linked the session to.
func (s *Session) User() (string, bool) {
	l, ok := s.link()
	return l.ID, ok
}

// ID returns the session's ID as SessionsOf lists it (HashKey of its key),
// or "" when it has no record yet.
func (s *Session) ID() string {
	return inspect(s, "", func() string {
		if s.key == "" {
			return ""
		}
		return HashKey(s.key)
	})
}

// link returns the user link in the request's view.
func (s *Session) link() (userLink, bool) {
	type found struct {
		l  userLink
		ok bool
	}
	f := inspect(s, found{}, func() found {
		raw, ok := s.lookup(userKey)
		l, ok := parseLink(raw, ok)
		return found{l, ok}
	})
	return f.l, f.ok
}

func parseLink(raw []byte, ok bool) (userLink, bool) {
	var l userLink
	if !ok || json.Unmarshal(raw, &l) != nil || l.ID == "" {
		return userLink{}, false
	}
	return l, true
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
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
			return m.revoke(ctx, user, []string{key})
		}
	}
	return nil
}

// RevokeUser ends every session of user but those whose IDs are in
// except (typically the current one: Session.ID), and returns how many
// it ended. Call it after a password change.
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
	return len(ending), m.revoke(ctx, user, ending)
}

// revoke deletes the sessions under keys that belong to user, then their
// index entries. An entry whose session is gone or linked to someone else
// is only dropped: the index is never trusted to name another user's
// session.
func (m *Manager) revoke(ctx context.Context, user string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	for _, key := range keys {
		if _, ok, err := m.device(ctx, user, key); err != nil {
			return fmt.Errorf("session: revoke: %w", err)
		} else if !ok {
			continue
		}
		err := m.bounded(ctx, OpDelete, func(ctx context.Context) error { return m.Store.Delete(ctx, key) })
		if err != nil {
			return fmt.Errorf("session: revoke: %w", err)
		}
		m.event(ctx, slog.LevelInfo, EventRevoked, "session: revoked", slog.String("session", HashKey(key)[:16]))
	}
	m.indexRemove(ctx, user, keys...)
	return nil
}
