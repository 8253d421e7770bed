package session

import (
	"encoding/json"
	"errors"
	"fmt"
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
