package messages

// FallbackStorage keeps the messages in the cookie and puts what does not
// fit into the session: Django's default storage. The oldest messages stay
// in the cookie, followed by the not-finished marker, and the newest go to
// the session; the session is read only when the cookie ends with the
// marker, and written only when something overflows or it held messages
// that were read. The usual few short messages therefore cost no session
// write, and nothing is lost when they do not fit. As in Django, messages
// in the session that the cookie does not point to (their cookie was lost
// when the browser closed) are never shown; the next overflow replaces
// them.
//
// It needs session.Manager's middleware around the messages middleware;
// without it, Add fails with ErrNoSession. Set its fields before the
// Manager's Middleware is built and change nothing afterwards.
type FallbackStorage struct {
	// Cookie is the first storage. Its Key is required.
	Cookie CookieStorage
	// Session takes the overflow.
	Session SessionStorage
}

// NewFallbackStorage returns a FallbackStorage with Django's settings for
// the secret key and, optionally, old keys still accepted when reading.
func NewFallbackStorage(key []byte, fallbackKeys ...[]byte) *FallbackStorage {
	return &FallbackStorage{Cookie: CookieStorage{Key: key, FallbackKeys: fallbackKeys}}
}

func (f *FallbackStorage) init() error {
	if err := f.Cookie.init(); err != nil {
		return err
	}
	return f.Session.init()
}

func (f *FallbackStorage) needsSession() bool { return true }

func (f *FallbackStorage) load(st *state) []Message {
	msgs, more := f.Cookie.read(st)
	if st.cookieHad && more {
		msgs = append(msgs, f.Session.read(st)...)
	}
	return msgs
}

func (f *FallbackStorage) store(st *state, msgs []Message) {
	over := f.Cookie.write(st, msgs, false)
	switch {
	case st.sessRead:
		f.Session.write(st, st.sessLoaded, over)
	case len(over) > 0:
		// The cookie did not point to the session, so what the session
		// holds is an orphaned overflow (its cookie was lost): never to
		// be shown, and replaced rather than shown among the new ones.
		f.Session.replace(st, over)
	}
}
