#!/usr/bin/python3
"""Django side of the cache-session checks: Django's cache and cached_db
session backends on Redis (django4_redis_cache.RedisCache, Django 4's
serialisation) or memcached (Django's PyMemcacheCache), shared with Go.

    /usr/bin/python3 sessions_cache.py CONFIG COMMAND [KEY]

CONFIG is a JSON object: "engine" ("cache" or "cached_db"), "cache"
("redis" or "memcached"), "redis" and "memcached" (host:port), "key_prefix"
(Django's KEY_PREFIX, unique per test), "db" (the SQLite file of
cached_db). COMMAND is one of

    migrate            create django_session in db (cached_db)
    write              save a new session holding the JSON object on stdin
                       (a "_expiry" member is passed to set_expiry); print
                       {"key": KEY}
    read KEY           print {"exists", "data", "expiry_age", "cache_entry"}
                       where cache_entry is what the cache held under the
                       session's key before the load (null when nothing)
    update KEY         merge the JSON object on stdin into the session, save
    flush KEY          log out: session.flush()
    corrupt KEY MODE   put bad data under the session's cache key: "datetime"
                       (a dict holding a datetime), "decimal" (a Decimal),
                       "list" (a pickled list), "plain" (a str: flags 16 on
                       memcached; an int: a bare number on Redis),
                       "truncated" (a cut pickle, as raw bytes)
    pickle-check       stdin: a JSON list of {"json", "pickle" (base64 of
                       Go's pickle)}; print, for each, {"same_bytes" (Go's
                       bytes equal pickle.dumps(value, 5) of the value with
                       sorted dict keys, or null when Python's pickle
                       refers back to a shared object), "loads_equal",
                       "python" (base64 of Python's pickle)}

Output is JSON on stdout.
"""

import base64
import datetime
import decimal
import json
import pickle
import pickletools
import sys

SECRET_KEY = "interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def setup(cfg):
    from django.conf import settings

    caches = {
        "redis": {
            "BACKEND": "django4_redis_cache.RedisCache",
            "LOCATION": "redis://" + cfg.get("redis", "127.0.0.1:6379") + "/0",
            "KEY_PREFIX": cfg.get("key_prefix", ""),
        },
        "memcached": {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": cfg.get("memcached", "127.0.0.1:11211"),
            "KEY_PREFIX": cfg.get("key_prefix", ""),
        },
    }
    caches["default"] = caches[cfg.get("cache", "redis")]
    settings.configure(
        SECRET_KEY=SECRET_KEY,
        INSTALLED_APPS=["django.contrib.sessions"],
        SESSION_ENGINE="django.contrib.sessions.backends." + cfg.get("engine", "cache"),
        SESSION_CACHE_ALIAS="default",
        CACHES=caches,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": cfg.get("db", ":memory:")}},
        USE_TZ=True,
    )
    import django

    django.setup()


def store_class(cfg):
    from importlib import import_module

    from django.conf import settings

    return import_module(settings.SESSION_ENGINE).SessionStore


def cache_key(cfg, key):
    return "django.contrib.sessions." + cfg.get("engine", "cache") + key


def pickle_check(items):
    def sorted_dicts(v):
        if isinstance(v, dict):
            return {k: sorted_dicts(v[k]) for k in sorted(v)}
        if isinstance(v, list):
            return [sorted_dicts(e) for e in v]
        return v

    out = []
    for item in items:
        value = sorted_dicts(json.loads(item["json"]))
        mine = pickle.dumps(value, 5)
        shared = any(op.name in ("BINGET", "LONG_BINGET") for op, _, _ in pickletools.genops(mine))
        theirs = base64.b64decode(item["pickle"])
        loaded = pickle.loads(theirs)
        out.append({
            "same_bytes": None if shared else mine == theirs,
            "loads_equal": loaded == value and type(loaded) is type(value),
            "python": base64.b64encode(mine).decode(),
        })
    return out


def main():
    cfg = json.loads(sys.argv[1])
    cmd = sys.argv[2]
    if cmd == "pickle-check":
        json.dump(pickle_check(json.load(sys.stdin)), sys.stdout)
        return
    setup(cfg)
    from django.core.cache import caches

    cache = caches["default"]
    SessionStore = store_class(cfg)

    if cmd == "migrate":
        from django.core.management import call_command

        call_command("migrate", "sessions", verbosity=0)
        print("{}")
        return
    if cmd == "write":
        data = json.load(sys.stdin)
        s = SessionStore()
        if "_expiry" in data:
            s.set_expiry(data.pop("_expiry"))
        s.update(data)
        s.save()
        json.dump({"key": s.session_key}, sys.stdout)
        return

    key = sys.argv[3]
    if cmd == "read":
        entry = cache.get(cache_key(cfg, key))
        s = SessionStore(key)
        data = dict(s.items())
        json.dump({
            "exists": s.session_key is not None,
            "data": data,
            "expiry_age": s.get_expiry_age(),
            "cache_entry": entry,
        }, sys.stdout, default=repr)
    elif cmd == "update":
        s = SessionStore(key)
        s.update(json.load(sys.stdin))
        s.save()
        print("{}")
    elif cmd == "flush":
        s = SessionStore(key)
        s.items()
        s.flush()
        print("{}")
    elif cmd == "corrupt":
        mode, k = sys.argv[4], cache_key(cfg, key)
        if mode == "datetime":
            cache.set(k, {"when": datetime.datetime(2024, 1, 2, 3, 4, 5)}, 300)
        elif mode == "decimal":
            cache.set(k, {"price": decimal.Decimal("1.50")}, 300)
        elif mode == "list":
            cache.set(k, ["not", "a", "dict"], 300)
        elif mode == "plain":
            cache.set(k, 7 if cfg.get("cache") == "redis" else "a string", 300)
        elif mode == "truncated":
            data = pickle.dumps({"_auth_user_id": "7", "cart": [1, 2, 3]}, 5)[:-6]
            if cfg.get("cache") == "redis":
                cache.raw_set(k, data, 300)
            else:
                from pymemcache.client.base import Client

                host, port = cfg.get("memcached", "127.0.0.1:11211").rsplit(":", 1)
                Client((host, int(port))).set(cache.make_key(k), data, expire=300, flags=1)
        else:
            raise SystemExit("unknown corrupt mode " + mode)
        print("{}")
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main()
