// Package tieredstore puts a cache store in front of a durable store, like
// Django's cached_db session backend: reads are served from the cache when
// it can, every write goes to the durable store first, and the site keeps
// working on the durable store alone when the cache is down. Both tiers are
// plain session.Store values, for example store/memcachestore or
// store/memstore in front of store/sqlstore.
//
// # What the cache holds
//
// The durable store is the truth and its versions are the versions callers
// see. Under a session key, the cache holds an entry that wraps a durable
// record: its durable version, expiry and data, and the time (asOf) at
// which the entry was known to be current. The cache's own versions are
// used only for compare-and-swap on the entries. An entry is either such a
// record or a fill lease (see below). Entries live in the cache until the
// record's expiry, or for at most MaxCacheAge (DefaultMaxCacheAge unless
// WithMaxCacheAge says otherwise) when that comes first.
//
// An entry keeps the record's expiry truncated to the millisecond, as
// store/sqlstore and store/memcachestore keep it, and is served only
// while that is more than a millisecond away: sqlstore's Django mode
// moves a stored expiry up to 999µs earlier than asked. So an entry stops
// being served up to 2 ms before its durable record dies, never after.
//
// # Operations
//
//   - Load reads the cache. A record entry that is current (see Distrust
//     below) and not expired is returned as it is: one cache round trip. On
//     a miss Load takes a fill lease, loads from the durable store and fills
//     the cache under the lease. A cache error is logged and Load reads the
//     durable store.
//   - Create takes a fill lease, creates the durable record, then fills the
//     cache under the lease.
//   - Update updates the durable record with the caller's version (the
//     durable store's compare-and-swap decides), then advances the cache
//     entry: if it still holds exactly the version the Update replaced, it
//     is replaced by the new one with the cache's compare-and-swap; if it
//     holds anything else (a lease, another version) it is deleted; if the
//     cache has nothing, nothing is written. When the durable Update fails
//     (a conflict, a missing record, or an error that leaves its outcome
//     unknown) the cache entry is deleted, so the caller's reload reads the
//     durable store.
//   - Delete deletes the durable record, then the cache entry.
//   - DeleteExpired runs on the durable store, and on the cache as a best
//     effort; List and Count are the durable store's, when it implements
//     session.Lister and session.Counter (errors.ErrUnsupported otherwise).
//
// # Why a stale entry never wins
//
// Writers never put data into the cache on a hunch: a write either moves
// the entry from exactly the version it replaced to the version it wrote
// (compare-and-swap on the cache), or deletes it. So when two requests race
// — A writes durable version 2 then goes to the cache, B writes version 3
// then goes to the cache, and A's cache step comes last — A finds version 3
// or nothing, not its own predecessor, and leaves the cache alone or
// deletes the entry: the cache never ends up holding 2 while the durable
// store holds 3.
//
// The other classic race is a reader that loads version 1 from the durable
// store, is overtaken by a writer that writes version 2 and invalidates the
// cache, and then fills the cache with its old version 1. Fills therefore
// go through a lease: before reading the durable store, a reader creates a
// lease entry in the cache (the cache's Create fails if any entry exists)
// and later replaces that lease, by the cache's compare-and-swap, with what
// it read. A writer that finds a lease deletes it, and the late fill then
// fails. Readers that find a lease read the durable store without filling.
// Leases expire after a few seconds (leaseTTL), in case a reader never
// comes back.
//
// Even so, a stale entry can only ever serve reads: an Update made from a
// stale version fails with session.ErrConflict at the durable store, which
// deletes the entry, and the session Manager then reloads from the durable
// store and replays the request's changes.
//
// # Distrust
//
// A write whose cache step fails (the cache is down, or timed out) may
// leave behind an entry for the version it replaced. The Store then
// distrusts every entry whose asOf is older than the failure plus
// ClockSkewMargin (2 s): such entries are treated as misses and refilled
// from the durable store once the cache answers again. asOf is taken
// before the durable read or write an entry reflects, so an entry filled
// from a read that a failed write overtook is distrusted too. asOf comes
// from the clock of the process that filled the entry; the margin keeps a
// stale entry distrusted when that clock runs up to ClockSkewMargin ahead
// of this process's (keep the app servers' clocks synchronised), at the
// cost of reading the durable store for that long after a failure. The
// distrust is kept in memory: another process sharing the cache does not
// learn of it, and a process restart forgets it. Those
// cases, and changes made to the durable store behind this package's back,
// are bounded by MaxCacheAge; each also ends at the next Update of the
// session, whose conflict deletes the entry.
//
// # When the cache is down
//
// Cache errors are never returned: every operation still succeeds (or
// fails) as the durable store does. Failures are logged at Warn on the
// logger given with WithLogger (slog.Default otherwise) through a rate
// limiter: the first failure of an outage at once, then at most one line
// every 10 seconds (ratelog.DefaultInterval) with the count of failures
// not logged (unlogged_failures); when the cache answers again an Info
// record says so, with the count not yet logged and how long it was down.
//
// A circuit breaker keeps a dead or hanging cache from slowing every
// request down to its client's timeout. After DefaultBreakerFailures (5)
// cache calls in a row failed, operations bypass the cache: Load reads the
// durable store, Create, Update and Delete write it, and none of them
// calls the cache at all. After DefaultBreakerBackoff (1 s) one operation
// (the probe) tries the cache again while the others still bypass it; if
// its cache calls work, the breaker closes and every operation uses the
// cache again; if they fail, the cache is bypassed for twice as long, up
// to MaxBreakerBackoff (30 s). WithBreaker sets the count and the first
// back-off, or turns the breaker off.
//
// A write that bypasses the cache leaves behind whatever entry the cache
// held for its key, now stale. So every bypassed write distrusts the cache
// as a failed invalidation does (see Distrust above): no entry older than
// the last bypassed write plus ClockSkewMargin is served, and once the
// cache answers again such entries are refilled from the durable store on
// their next Load. After a recovery the first ClockSkewMargin of reads
// therefore still go to the durable store. As with every distrust, this is
// kept in this process: another process that shares the cache and kept
// reaching it while this one could not does not learn of the writes this
// one made meanwhile, until MaxCacheAge or the session's next Update.
//
// Cache calls made after a successful durable write use a context that is
// not cancelled with the caller's, so a client that goes away does not skip
// an invalidation. This package never puts session keys in log records;
// cache errors are logged as the cache store words them (the stores of
// this module name records by hashed keys at most).
//
// # Costs
//
// In calls to the cache (the durable store gets one call per operation):
// a Load hit costs 1 and touches no durable store; a miss costs 3 (Load,
// lease, fill) and one durable Load; an Update costs 2 (Load, then
// compare-and-swap, or a delete) or 1 when nothing is cached; a Create
// costs 2 (lease, fill); a Delete 1. With store/memcachestore as the cache
// these are round trips, except that a fill under a fresh lease takes two
// (memcachestore learns an item's CAS unique only by reading it): a miss
// then costs 4 round trips and a Create 3, while the compare-and-swap of an
// Update takes one, thanks to the Load just before it.
//
// Whether the cache pays depends on the durable store: go test -run '^$'
// -bench . -benchmem ./store/tieredstore on a 2-CPU VM measured a hit in a
// memstore cache at about 0.2µs with no allocation, a hit in memcached on
// the loopback at about 45µs, and a Load from a local SQLite file at about
// 11µs. A memcached in front of SQLite on the same machine only adds
// latency; in front of a database across the network (a round trip of
// 100µs or more) or under load, it takes the reads off the database.
package tieredstore
