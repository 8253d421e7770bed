package session

// state is what a Session knows about the record behind it. Every request
// starts in stateUnread (or stateFresh, when its cookie cannot name a
// record) and moves at most once out of stateUnread, on first use:
//
//	stateUnread ──load──▶ stateStored   a live record was read
//	            ──load──▶ stateFresh    no record: no cookie, an unknown, expired or tampered one
//	            ──load──▶ stateBroken   the store failed; every use reports it
//	stateStored ──Flush─▶ stateFresh    the record is retired; a save makes a new one
//	stateUnread ──Flush─▶ stateFresh
//
// Saving then reads as "in state X, do Y" (commit.go): an unread session
// saves nothing (but SaveEveryRequest loads it first), a fresh one is
// created under a new key when it holds something, a stored one is written
// back with compare-and-swap (moved to a new key after CycleKey), and a
// broken one fails the request.
type state uint8

const (
	// stateUnread: the record has not been asked for. Session.key holds
	// the key the cookie named, or "" when there was none.
	stateUnread state = iota
	// stateFresh: there is no record behind this session; values is what
	// this request stored in a new one.
	stateFresh
	// stateStored: a live record was loaded; key and version name it.
	stateStored
	// stateBroken: the store failed to load the record; err says why.
	stateBroken
)

// pending is what the request asked for beyond reading: the changes to
// replay after a conflict, and the key operations.
type pending struct {
	ops    []op      // Set, Delete and Update calls, in order
	retire []retired // records Flush (or the idle timeout) deleted
	cycle  bool      // CycleKey: move the data to a new key
	flush  bool      // Flush was called
	touch  bool      // the last-use stamp is due for renewal (IdleTimeout)
}

// retired is a record to delete, and the user whose index names it.
type retired struct {
	key, user string
}

// modified reports whether the request changed the session.
func (p *pending) modified() bool {
	return len(p.ops) > 0 || p.cycle || p.flush
}
