// Package redisstore keeps sessions in Redis through
// github.com/redis/go-redis/v9. One Store type serves a single node, a
// Sentinel-managed master (redis.NewFailoverClient) and a Redis Cluster
// (redis.NewClusterClient): New takes any redis.UniversalClient, and every
// command the store sends names exactly one key. It needs Redis 5.0 or
// later (multi-field HSET, scripts replicated by their effects).
//
// # Layout
//
// Each session is one Redis hash, stored under the prefix (DefaultPrefix,
// "tether:session:", unless WithPrefix says otherwise) followed by
// session.HashKey(key), 64 hex digits, so that a dump of Redis does not
// leak keys that could be presented as session cookies; WithHashKeys(false)
// stores the session key itself instead. The hash has three fields:
//
//	data     the session codec's bytes, unchanged (binary safe)
//	version  the compare-and-swap version, in decimal
//	expiry   the instant the record dies, in Unix milliseconds, in decimal
//
// The key also carries a Redis expiry set with PEXPIREAT to the same
// millisecond, so Redis deletes dead sessions by itself: the store is not a
// session.Sweeper (there is nothing to sweep) and no janitor runs.
// Load additionally compares the expiry field with the store's clock, so a
// record is dead as soon as either the application's clock or Redis's says
// so. Expiry instants are kept to the millisecond, truncated.
//
// A value under a session's Redis key that is not such a hash (another
// type, a missing field, a version or expiry that is not a canonical
// positive integer) is never decoded as a session and never causes a
// panic: Load and Update report it as missing, with an error matching
// both session.ErrNotFound and ErrCorrupt (a hash with none of the three
// fields reads as no record at all), List and Count skip it, and Create
// replaces it.
//
// # Round trips and the script
//
// Load is one HMGET. Delete is one DEL. Create and Update are one EVALSHA
// each: a Lua script that reads the record's state, decides
// and writes, atomically on the server, so compare-and-swap holds between
// any number of processes. Create stores the record only when no live
// record is there; Update writes only when the stored version still equals
// the one the caller loaded, and otherwise answers with a code that the
// store maps to session.ErrConflict or session.ErrNotFound. A record whose
// Expiry has already passed is never written: Create then stores nothing
// and Update deletes the record (if its version matched), as the
// session.Store contract asks. The script is sent with EVALSHA and, when a
// server does not have it cached yet (a new node, a restart, SCRIPT
// FLUSH), once more with EVAL, which caches it (redis.Script.Run): that
// first call on each server costs a second round trip.
//
// A round trip dominates every call. From go test -run '^$' -bench .
// -benchmem ./store/redisstore/ against Redis 7.0 on the same 2-CPU VM
// (where redis-benchmark -c 1 takes 40 to 120µs for a bare command): Load
// about 135µs with 21 allocations for a 464-byte session, Update and
// Create about 200µs with 19 and 18 (the script runs a few commands inside
// Redis).
//
// # Versions
//
// The script computes each new version from the server's clock (Redis's
// TIME, in microseconds since 1970) and the version it replaces:
//
//	new = max(previous + 1, now in µs)
//
// so the versions of a live record strictly increase, whatever the clocks
// do. A record created after its key was deleted, or expired, starts from
// the clock alone; it is larger than every version the key had before
// unless the Redis server's clock has stepped back since (an operator
// setting the clock back, or a Sentinel or Cluster failover to a replica
// whose clock is behind), and even then it repeats an earlier version only
// if it lands on that very microsecond. Session keys are random and the
// Manager never creates a record under a key it has used before, so in
// practice a version is never given twice. Versions stay below 2^53, the
// range where the script's Lua numbers are exact, until the year 2255.
//
// # Redis Cluster
//
// Every command and every script call names one key, so on a Cluster it
// is sent to the master that owns the key's slot, and sessions spread over
// all masters. The prefix must not contain a hash tag ("{...}"): it would
// put every session in one slot. Each master keeps its own script cache;
// go-redis's EVAL fallback fills it as needed.
//
// # Listing and counting
//
// Store implements session.Lister and session.Counter for operators (the
// tether CLI). Both walk the whole keyspace with SCAN MATCH prefix* — on
// every master of a Cluster (ClusterClient.ForEachMaster) and every live
// shard of a Ring — and then read each session's version, expiry and size
// with pipelined HMGET, HEXISTS and HSTRLEN commands. The cost grows with
// the number of keys in the database, not only with the number of
// sessions, and List holds every matching ID in memory to sort them: keep
// these calls away from request paths.
//
// # Django's layout
//
// DjangoCache is another store on Redis: it keeps each session as Django's
// cache session backend does with Django 4's RedisCache (the pickled
// session dict as a plain string under ":1:django.contrib.sessions.cache"
// followed by the session key, with a Redis expiry), for sharing sessions
// with a Django app; see its documentation and package djangocache. Its
// errors are those described below.
//
// # Errors and timeouts
//
// Errors name the operation ("redisstore: load: ...") and wrap the session
// package's errors: errors.Is matches session.ErrNotFound (also for
// redis.Nil), ErrExists and ErrConflict. Failures to reach Redis — refused
// or broken connections, timeouts, an exhausted or closed pool, a context
// deadline, and the server states LOADING, BUSY, READONLY, MASTERDOWN,
// CLUSTERDOWN, TRYAGAIN, OOM and "max number of clients" — also match
// session.ErrUnavailable, which the Manager's default error handler turns
// into 503. A cancelled context gives an error matching context.Canceled.
//
// Every method checks its context before sending anything, and Load,
// Create, Update and Delete never outlive their context's deadline (List
// and Count, for operators, rely on the client's timeouts when it is not
// built as below), so a Redis that stops answering
// (a paused or overloaded server, a dropped route) costs a request its
// deadline, not the client's timeouts and retries: the session Manager's
// bound on every store call then answers 503 in about that time. go-redis
// applies a context's deadline to a command already sent only when the
// client is built with ContextTimeoutEnabled; for a client without it
// (go-redis's default: ReadTimeout and WriteTimeout 5 s, 3 retries, so a
// hung server holds a call up to 20 s), the Store runs each call that has a
// deadline in a goroutine of its own and returns when the deadline passes,
// leaving the command to finish in the background under the client's
// timeouts (the outcome of a write given up on is unknown, as after any
// timeout). Build the client with
//
//	ContextTimeoutEnabled: true,
//	DialTimeout:  time.Second,
//	ReadTimeout:  time.Second,
//	WriteTimeout: time.Second,
//
// or timeouts of your choosing: with ContextTimeoutEnabled the deadline is
// applied to the connection itself, nothing is left running, and no
// goroutine is started per call.
package redisstore
