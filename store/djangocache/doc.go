// Package djangocache shares sessions with a Django app whose
// SESSION_ENGINE is django.contrib.sessions.backends.cache or
// backends.cached_db, on Redis (Django 4.0+'s RedisCache) or memcached
// (PyMemcacheCache).
//
// # What Django keeps
//
// Django's cache session backends hand the session dict itself to the
// cache, which pickles it (package pickle): under
// ":1:django.contrib.sessions.cache<session key>" for the cache backend,
// and ":1:django.contrib.sessions.cached_db<session key>" for the cache
// entry of cached_db (":1:" is Django's default KEY_PREFIX "" and VERSION
// 1; CachePrefix and CachedDBPrefix). RedisCache stores the pickle
// (pickle.HIGHEST_PROTOCOL) as a plain Redis string with an expiry;
// PyMemcacheCache stores it with flags 1 (pymemcache's FLAG_PICKLE). The
// entry expires after the session's expiry age; nothing else is stored.
//
// # The pieces
//
//   - Codec is the session.Codec for such entries: the record is the
//     pickled dict, and the Manager's values stay JSON inside (each value
//     is converted between JSON and pickle when the record is read or
//     written), so a session that holds only what Django's JSONSerializer
//     could hold reads the same on both sides. Anything else Django put in
//     the dict (a datetime, a model instance, a set, bytes, a dict with
//     non-string keys) makes the record unreadable: the Manager logs it
//     and starts an empty session, never decodes an object. Note that
//     Django before 5.0 keeps set_expiry(datetime or timedelta) as a
//     datetime in the dict, which a cache backend pickles: such a session
//     is unreadable in Go (set_expiry with seconds is fine; Go's
//     SetExpiryAt writes the ISO string newer Djangos write).
//   - redisstore.DjangoCache and memcachestore.DjangoCache keep Codec
//     records under Django's keys in Django's layout: use them with Codec
//     for SESSION_ENGINE = "django.contrib.sessions.backends.cache".
//   - CachedDB is SESSION_ENGINE = "django.contrib.sessions.backends.cached_db":
//     Django's table (store/sqlstore with WithDjangoTable, and
//     session.DjangoCodec) is the record, and every write also invalidates
//     Django's cache entry for the session, so Django never serves a dict
//     older than the row.
//
// # Versions
//
// Django's entry holds the dict and nothing else, so there is no version
// field for compare-and-swap. The cache stores derive the version from the
// content instead: ContentVersion, the first 64 bits of the SHA-1 of the
// pickle (never 0), which Redis can compute inside a script (redis.sha1hex)
// and memcached's gets/cas makes atomic. A content version repeats when
// the content does: a record that goes from A to B and back to A has A's
// version again, and an Update made from the first A succeeds. That is
// still correct compare-and-swap for sessions: the Manager computes what
// it writes from the record it loaded, and the record it would reload is
// byte for byte the one it loaded, so replaying its changes on the fresh
// copy gives exactly what it is about to write. (The expiry is not part of
// the version; the Manager writes its own expiry with every save.) The
// conformance suite's VersionsNeverRepeat subtest, which writes the same
// bytes twice, is therefore not run on these stores
// (storetest.Options.ContentVersions).
package djangocache
