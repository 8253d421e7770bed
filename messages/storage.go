package messages

// Storage keeps the messages of one client between requests. The package
// provides three: SessionStorage, CookieStorage and FallbackStorage. Its
// methods are unexported: the request life cycle (what was read, what must
// be flushed, how a concurrent change of the session is merged) is tied to
// this package's middleware.
//
// A Storage is configured before the Manager's Middleware is built and must
// not change afterwards; it is then safe for concurrent use.
type Storage interface {
	// init validates the configuration and fills in defaults, once.
	init() error
	// needsSession reports whether the storage uses the session.
	needsSession() bool
	// load returns the stored messages of st's request.
	load(st *state) []Message
	// store replaces them with msgs for st's response.
	store(st *state, msgs []Message)
}
