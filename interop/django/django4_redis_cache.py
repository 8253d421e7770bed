"""A stand-in for Django 4.0+'s RedisCache (django.core.cache.backends.redis)
for the Django 3.2 the tests run, which has no Redis backend.

It reproduces what matters to a session shared with Go, as in
django/core/cache/backends/redis.py (django/django main): RedisSerializer
(pickle.dumps with pickle.HIGHEST_PROTOCOL, except that plain ints are
stored as they are; loads tries int() first), keys made by Django's own
make_key (":1:<key>" with the default KEY_PREFIX and VERSION), add = SET NX
with EX timeout (timeout 0: SET NX then DELETE), set = SET with EX timeout
(timeout 0: DELETE), delete = DEL, has_key = EXISTS, and
get_backend_timeout (None stays None, otherwise max(0, int(timeout))).
Written for these tests from that file; not a copy of it.
"""

import pickle

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache


class RedisSerializer:
    def __init__(self, protocol=None):
        self.protocol = pickle.HIGHEST_PROTOCOL if protocol is None else protocol

    def dumps(self, obj):
        if type(obj) is int:  # not bool: type(), not isinstance()
            return obj
        return pickle.dumps(obj, self.protocol)

    def loads(self, data):
        try:
            return int(data)
        except ValueError:
            return pickle.loads(data)


class RedisCache(BaseCache):
    def __init__(self, server, params):
        super().__init__(params)
        self._client = redis.Redis.from_url(server)
        self._serializer = RedisSerializer()

    def _key(self, key, version):
        key = self.make_key(key, version=version)
        self.validate_key(key)
        return key

    def get_backend_timeout(self, timeout=DEFAULT_TIMEOUT):
        if timeout == DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        return None if timeout is None else max(0, int(timeout))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self._key(key, version)
        timeout = self.get_backend_timeout(timeout)
        value = self._serializer.dumps(value)
        if timeout == 0:
            ret = bool(self._client.set(key, value, nx=True))
            if ret:
                self._client.delete(key)
            return ret
        return bool(self._client.set(key, value, ex=timeout, nx=True))

    def get(self, key, default=None, version=None):
        value = self._client.get(self._key(key, version))
        return default if value is None else self._serializer.loads(value)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self._key(key, version)
        timeout = self.get_backend_timeout(timeout)
        value = self._serializer.dumps(value)
        if timeout == 0:
            self._client.delete(key)
        else:
            self._client.set(key, value, ex=timeout)

    def delete(self, key, version=None):
        return bool(self._client.delete(self._key(key, version)))

    def has_key(self, key, version=None):
        return bool(self._client.exists(self._key(key, version)))

    def raw_set(self, key, data, timeout):
        """Store bytes as they are under the Django key (for corrupt-entry tests)."""
        self._client.set(self._key(key, None), data, ex=timeout)

    def clear(self):
        raise NotImplementedError("the Redis server is shared: never FLUSHDB")
