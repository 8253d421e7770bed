package session

import (
	"log/slog"
	"strconv"
	"time"
)

// seenKey is where a session with an idle timeout keeps when it was last
// used: Unix seconds, refreshed at most once per IdleRefresh.
const seenKey = "_tether_seen"

// internalKey reports whether key is one the session keeps for itself
// (its expiry setting, its last use) rather than one the handler stored:
// a session holding only these is empty.
func internalKey(key string) bool { return key == expiryKey || key == seenKey }

// hiddenKey reports whether Keys leaves key out: the internal keys and
// the user link (User reports it).
func hiddenKey(key string) bool { return internalKey(key) || key == userKey }

// idleRefresh is how stale the last-use stamp may grow before a request
// writes a new one.
func (m *Manager) idleRefresh() time.Duration {
	if m.IdleRefresh > 0 {
		return min(m.IdleRefresh, m.IdleTimeout)
	}
	return max(m.IdleTimeout/10, time.Second)
}

// checkIdle applies IdleTimeout to a session just loaded (stateStored):
// one unused for longer ends now (its record is deleted, as by Flush, and
// the request starts a fresh session); one whose stamp is older than
// IdleRefresh is marked to have it renewed by this request's commit. The
// caller holds s.mu.
func (s *Session) checkIdle() {
	m := s.m
	if m.IdleTimeout <= 0 || s.st != stateStored {
		return
	}
	now := m.Now()
	raw, ok := s.lookup(seenKey)
	if !ok {
		// A session from before the timeout was enabled: it starts now.
		s.pending.touch = true
		return
	}
	secs, err := strconv.ParseInt(string(raw), 10, 64)
	seen := time.Unix(secs, 0)
	switch idle := now.Sub(seen); {
	case err != nil || idle > m.IdleTimeout:
		m.event(s.ctx, slog.LevelInfo, EventIdleTimeout, "session: idle timeout; the session ended",
			slog.Duration("idle", idle.Truncate(time.Second)), slog.Duration("timeout", m.IdleTimeout))
		if s.key != "" {
			s.pending.retire = append(s.pending.retire, retired{key: s.key, user: storedUser(s.values, s.lazy)})
		}
		s.st, s.key, s.version = stateFresh, "", 0
		s.values, s.lazy = map[string][]byte{}, nil
	case idle >= m.idleRefresh():
		s.pending.touch = true
	}
}

// stampSeen records this request as the session's last use, when the
// Manager has an idle timeout. The caller holds s.mu, at commit.
func (s *Session) stampSeen() {
	if s.m.IdleTimeout <= 0 || isEmpty(s.values) {
		return
	}
	raw := strconv.AppendInt(nil, s.m.Now().Unix(), 10)
	o := op{kind: opSet, key: seenKey, raw: raw}
	o.apply(s.values)
	s.pending.ops = append(s.pending.ops, o)
}
