// Package memcachestore keeps sessions in memcached, through the
// github.com/bradfitz/gomemcache client, like Django's cache session
// backend — but with compare-and-swap, so that concurrent requests of one
// user never lose each other's changes.
//
// memcached is a cache: it may evict a session under memory pressure and
// loses every session when it restarts. Use it alone where that is
// acceptable (the user logs in again), or put it in front of a database
// with store/tieredstore.
//
// # Items
//
// A record under a session key is the memcached item named by the prefix
// (DefaultPrefix unless WithPrefix says otherwise) followed by
// session.HashKey(key), 64 hex digits. The key is always hashed: the item
// name then always fits memcached's rules (at most 250 bytes, no spaces or
// control characters), and a dump of the cache does not reveal live session
// keys. The item's value is a 19-byte header and then the session data,
// byte for byte:
//
//	offset 0   2 bytes  magic "TM"
//	offset 2   1 byte   format version (1)
//	offset 3   8 bytes  record version, big-endian, never 0
//	offset 11  8 bytes  expiry in Unix milliseconds, big-endian two's complement
//	offset 19           data
//
// A value that does not parse (another program's item, a truncated write)
// is treated as missing: Load and Update report an error matching
// session.ErrNotFound and ErrMalformed that names the reason, Create
// replaces it, and nothing panics.
//
// # Expiry
//
// The header's expiry is authoritative: Load and Update compare it with the
// current time, to the millisecond, so a record is never returned after its
// Expiry. memcached's own expiration only frees the memory. It is set in
// whole seconds and rounded up, plus two seconds of slack for memcached's
// coarse clock (which ticks once a second and may lag), so the server never
// drops a record before its Expiry. Lifetimes up to 30 days are sent as
// relative seconds and longer ones as an absolute Unix time, as the
// protocol requires; an absolute time past 2038 (beyond the protocol's
// 32-bit field) is sent as 0, "no expiration", and the item is left for
// memcached's LRU to evict. A record written with an Expiry that has
// already passed is sent with a negative expiration, which memcached treats
// as expired at once.
//
// memcached drops expired items by itself, so the store is not a
// session.Sweeper: there is nothing to sweep (run the conformance suite
// with storetest.Options{SelfExpiring: true}). The store implements neither
// session.Lister nor session.Counter: memcached cannot enumerate its keys.
//
// # Versions and round trips
//
// memcached's "gets" returns a CAS unique with every item and "cas" stores
// only if it still matches, which is what compare-and-swap needs, so the
// server must not run with CAS disabled (memcached -C): it then sends CAS
// unique 0 and refuses every "cas", and the store reports an error
// matching ErrCASDisabled whenever it reads an item. The CAS
// unique is not used as the record version, for three reasons: the
// classic text protocol that gomemcache speaks does not return the new CAS
// unique after "add" or "cas", so Create and Update could not return the
// new version without another "gets" (which may already see a later
// writer's item); CAS uniques are one counter per server that starts again
// at 1 when memcached restarts, so after a restart a key could get back a
// version a client still holds; and they differ from server to server when
// the server list changes.
//
// Instead the store gives each record its own version, kept in the header:
// the Unix time in nanoseconds, raised above the last version this process
// issued and above the version an Update replaces (see nextVersion), so a
// record's versions only grow and a key that is deleted and created again
// does not get back an old version. Every write still goes through "add"
// or "cas", so compare-and-swap holds between processes.
//
// Round trips per operation:
//
//   - Load: 1 ("gets").
//   - Create: 1 ("add"); 3 when a dead or unreadable item is still under the
//     key ("add" fails, "gets" shows it dead, "cas" replaces it).
//   - Update: 1 ("cas") when this Store loaded the record recently, 2
//     ("gets" to check the version and obtain the CAS unique, then "cas")
//     otherwise. Load remembers the CAS unique it saw next to the version it
//     returned, in a small fixed-size table (WithCASHints); an Update from
//     exactly that version sends "cas" with it directly. The server accepts
//     it only if the item has not changed since that Load, so a stale hint
//     can never let a write through: "cas" then answers EXISTS and the
//     store falls back to the 2-round-trip path, which reports the
//     conflict. The session Manager always loads before it updates, so its
//     commits take one round trip.
//   - Delete: 1 ("delete").
//
// TestRoundTrips checks these counts on the wire. Time is dominated by the
// round trips: go test -run '^$' -bench . -benchmem ./store/memcachestore
// measured 40 to 100µs a round trip to a memcached on the loopback of a
// busy 2-CPU VM; a Load makes 6 allocations (448 bytes for a 100-byte
// session), a Load and an Update together 13 with CAS hints and 17
// without.
//
// # Errors and contexts
//
// Errors wrap the session package's: a missing, expired or unreadable item
// matches session.ErrNotFound; Create over a live record
// session.ErrExists; an Update from another version session.ErrConflict.
// A server that cannot be reached (no servers, connection refused or cut,
// connect or I/O timeouts) gives errors that match session.ErrUnavailable,
// which the session Manager answers with 503. A value too large for the
// server's item size (memcached -I, 1 MiB by default, header included) is
// reported as such (ErrTooLarge), and a server with CAS disabled (memcached
// -C) as the configuration error it is (ErrCASDisabled, not ErrConflict
// or ErrExists).
//
// # Django's layout
//
// DjangoCache is another store on memcached: it keeps each session as
// Django's cache session backend does with PyMemcacheCache (the pickled
// session dict with flags 1 under ":1:django.contrib.sessions.cache"
// followed by the session key), for sharing sessions with a Django app;
// see its documentation and package djangocache.
//
// gomemcache takes no context. The store checks the context before every
// call to the server and returns its error (wrapped) once it is done: a
// deadline that has passed also matches session.ErrUnavailable, as with
// the other stores of this module, and a cancelled context matches
// context.Canceled only. A call already sent is bounded by the client's
// Timeout (memcache.DefaultTimeout, 500 ms, when it is 0): a server that
// stops answering fails the call with an I/O timeout after that long,
// which matches session.ErrUnavailable (a 503). When the context's
// deadline comes sooner than the Timeout, the store runs the call in a
// goroutine of its own and returns at the deadline, leaving the call to
// end in the background at the Timeout (the outcome of a write given up on
// is unknown, as after any timeout); so a call never outlives its
// context's deadline, and the session Manager's bound on store calls (1 s
// by default) holds whatever the Timeout. Keep the default Timeout or set
// Client.Timeout to the longest you accept, and Client.MaxIdleConns near
// the number of concurrent requests, or most requests will open a new
// connection.
package memcachestore
