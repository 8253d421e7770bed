package session

import "net/http"

// backend is where a Manager keeps its sessions: records on the server
// (serverBackend, a Store) or the session sealed into the cookie itself
// (cookieBackend, a CookieStore). The Session's lifecycle (state.go) and
// the commit's order of steps (commit.go) are the same for both; only
// these steps differ.
type backend interface {
	// open reads the request's cookie value into s.in and s.key, and puts
	// s in stateFresh when the value can name no session at all.
	open(s *Session, value string)
	// load moves s out of stateUnread: it reads the session the cookie
	// names into s.values (or s.lazy) and sets the state.
	load(s *Session)
	// retire deletes the records Flush left behind (s.pending.retire).
	retire(s *Session) error
	// save writes the session after the request's changes and adds the
	// cookie headers to h. The caller has loaded s (it is fresh or stored).
	save(s *Session, h http.Header) error
	// newCookie reports whether a save would send a new cookie value.
	newCookie(s *Session) bool
}
