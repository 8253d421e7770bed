// Package djangointerop cross-checks tether against a real Django.
//
// It holds no library code: its tests run small Python scripts with Django
// installed (Debian's python3-django, Django 3.2, importable only by the
// system interpreter /usr/bin/python3) and compare both directions.
//
// signing_vectors.py and signing_test.go check package signing: Django
// signs values (Signer, TimestampSigner, dumps with and without
// compression, set_signed_cookie, the db session encoding) with fixed keys,
// salts and payloads and a clock frozen at Unix 1700000000; Go must verify
// each and decode the same content, and must write byte-identical values
// wherever that is possible (everything except zlib streams and JSON with
// floats). Then Go signs values with the same frozen clock and Django must
// accept every one (and refuse the deliberately bad ones) with the same
// decoded content.
//
// The other checks share state with Django's own code, both ways:
//
//   - sessions_test.go, databases_test.go (sessions_db.py): the db session
//     backend on SQLite, on PostgreSQL (a schema of its own per test,
//     Django's search_path) and on MariaDB/MySQL (a database of its own per
//     test), with sqlstore.WithDjangoTable and session.NewDjangoCodec; a
//     row Django's side spoils is an empty session and a log line.
//   - cookies_test.go (sessions_cookie.py): the signed_cookies backend and
//     cookiestore.NewSigned, plain, compressed and non-ASCII; tampered and
//     expired cookies refused by both.
//   - files_test.go (sessions_file.py): the file backend and
//     filestore.WithDjangoLayout on one SESSION_FILE_PATH.
//   - csrf_session_test.go: CSRF_USE_SESSIONS and csrf.Options.UseSession.
//   - auth_test.go: auth.login / get_user on the auth_user table and
//     package djangoauth.
//   - cache_test.go (sessions_cache.py, django4_redis_cache.py): the cache
//     and cached_db engines on Redis and memcached, with store/djangocache
//     (see below).
//   - versions_test.go (rotation_vectors.py): what Django 4.x and 5.x write
//     differently (SECRET_KEY_FALLBACKS, the 32-character CSRF cookie, ISO
//     expiry, the formats 4.0 removed), on known vectors.
//
// The PostgreSQL and MariaDB checks use TETHER_POSTGRES_DSN and
// TETHER_MYSQL_DSN, and Django's drivers psycopg2 and MySQLdb (Debian's
// python3-psycopg2 and python3-mysqldb).
//
// sessions_cache.py and cache_test.go share Django's cache and cached_db
// session engines (store/djangocache) with a Django app on Redis (through
// django4_redis_cache.py, a stand-in with Django 4's RedisCache
// serialisation, since Django 3.2 has no Redis backend; it needs Debian's
// python3-redis) and on memcached (Django's PyMemcacheCache; it needs
// python3-pymemcache): each side reads what the other wrote, logs out
// what the other logged in, cached_db's cache entry never goes stale
// after a Go write, and bad entries Django's cache may hold give Go a
// fresh session. pickle_test.go compares package pickle with CPython's
// pickle over a corpus of values, byte for byte.
//
// Run it with
//
//	go test ./interop/django/
//
// The interpreter is TETHER_DJANGO_PYTHON if set, else the first of
// /usr/bin/python3 and python3 on PATH that can import django. Without one
// the tests skip, unless TETHER_REQUIRE_SERVICES is non-empty (as in CI),
// in which case they fail.
package djangointerop
