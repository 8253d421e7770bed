package messages

import (
	"bytes"
	"encoding/json"
	"log/slog"

	"github.com/tetherweb/tether/internal/logval"
	"github.com/tetherweb/tether/session"
)

// DefaultSessionKey is the session key SessionStorage keeps messages under
// (Django's).
const DefaultSessionKey = "_messages"

// SessionStorage keeps the messages in the request's session, under
// DefaultSessionKey. It needs session.Manager's middleware around the
// messages middleware; without it, Add fails with ErrNoSession.
//
// It never runs out of room. The messages are stored with session.Update and
// merged with what concurrent requests of the same user stored meanwhile:
// the messages this request read are removed from the fresh value and the
// ones it added are appended; a request that read nothing only appends, so
// messages another tab showed meanwhile do not come back. Two tabs
// therefore neither show a message twice nor lose one. When nothing is left
// the key is deleted, a decision taken again on the fresh value
// (session.UpdateOrDelete), so a message a concurrent request added in that
// instant is kept.
//
// Set its fields before the Manager's Middleware is built and change nothing
// afterwards.
type SessionStorage struct {
	// Key is the session key (default "_messages").
	Key string
	// Django stores the messages as Django does, as a JSON string inside
	// the session (with Python's default ", " separators), for sessions
	// shared with a Django app (session.DjangoCodec). Otherwise the list is
	// stored as plain JSON. Both forms are read either way.
	Django bool
}

func (s *SessionStorage) init() error {
	if s.Key == "" {
		s.Key = DefaultSessionKey
	}
	return nil
}

func (s *SessionStorage) needsSession() bool { return true }

func (s *SessionStorage) load(st *state) []Message { return s.read(st) }

func (s *SessionStorage) store(st *state, msgs []Message) {
	if !st.used {
		// Nothing was read, so msgs is the loaded messages followed by
		// the new ones. The loaded ones may be stale: a concurrent request
		// may have shown (and removed) them since. Keep whatever the
		// session holds when this request commits and append the new
		// ones only. (With nothing new, the stored value was bad and
		// goes.)
		s.write(st, nil, st.queued)
		return
	}
	s.write(st, st.sessLoaded, msgs)
}

// read returns the messages in the session. A value that does not decode is
// logged and counts as none; it is replaced when the messages are stored.
func (s *SessionStorage) read(st *state) []Message {
	var v sessionValue
	ok, err := st.sess.Get(s.Key, &v)
	st.sessRead, st.sessHad = true, ok
	switch {
	case err != nil:
		st.log(slog.LevelWarn, "messages: session value unreadable; ignoring it", logval.Error(err))
		return nil
	case v.bad != nil:
		st.log(slog.LevelWarn, "messages: session value rejected; ignoring it", logval.Error(v.bad))
		st.dirty = true
		return nil
	}
	st.m.retag(v.msgs)
	st.sessLoaded = v.msgs
	return v.msgs
}

// write stores msgs after the session's current messages less drop (the
// ones this request read there), deleting the key when nothing is left.
// A request that has nothing to store and found no messages in the session
// writes nothing.
func (s *SessionStorage) write(st *state, drop, msgs []Message) {
	if len(msgs) == 0 && !st.sessHad {
		return
	}
	_, _, err := session.UpdateOrDelete(st.sess, s.Key, func(cur sessionValue, _ bool) (sessionValue, bool) {
		rest := append(without(cur.msgs, drop), msgs...)
		return sessionValue{msgs: rest, django: s.Django}, len(rest) > 0
	})
	if err != nil {
		st.log(slog.LevelError, "messages: cannot store the messages in the session", logval.Error(err))
	}
}

// replace makes msgs (not empty) the session's messages, whatever it
// holds.
func (s *SessionStorage) replace(st *state, msgs []Message) {
	if err := st.sess.Set(s.Key, sessionValue{msgs: msgs, django: s.Django}); err != nil {
		st.log(slog.LevelError, "messages: cannot store the messages in the session", logval.Error(err))
	}
}

// without returns msgs less one occurrence of each of drop.
func without(msgs, drop []Message) []Message {
	if len(drop) == 0 {
		return msgs
	}
	out := make([]Message, 0, len(msgs))
	gone := make([]bool, len(drop))
next:
	for _, m := range msgs {
		for i, d := range drop {
			if !gone[i] && sameMessage(m, d) {
				gone[i] = true
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

// sameMessage compares everything that is stored.
func sameMessage(a, b Message) bool {
	return a.level == b.level && a.text == b.text && a.extraTags == b.extraTags && a.safe == b.safe
}

// sessionValue is the session's value under the messages key.
type sessionValue struct {
	msgs   []Message
	django bool
	bad    error // the stored value did not decode
}

// MarshalJSON writes the list, or Django's JSON string of it.
func (v sessionValue) MarshalJSON() ([]byte, error) {
	list := encodeList(v.msgs, false, v.django)
	if v.django {
		return appendJSONString(nil, string(list)), nil
	}
	return list, nil
}

// UnmarshalJSON reads either form. A value that does not decode is kept as
// v.bad rather than failing, so that a corrupt value is replaced instead of
// making every later update fail.
func (v *sessionValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			v.bad = err
			return nil
		}
		b = []byte(s)
	}
	msgs, _, err := decodeList(b, nil)
	v.msgs, v.bad = msgs, err
	return nil
}
