package redisstore

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/djangocache"
)

// DjangoCache is a session.Store that keeps sessions as Django's cache
// session backend does on Django 4.0+'s RedisCache: the record's Data
// (djangocache.Codec's pickle) is a plain Redis string under the prefix
// followed by the session key itself (djangocache.CachePrefix,
// ":1:django.contrib.sessions.cache", unless WithPrefix says otherwise),
// with a Redis expiry at the record's Expiry and nothing else, so that a
// Django app with SESSION_ENGINE = "django.contrib.sessions.backends.cache"
// on the same Redis database reads and writes the same sessions. Make one
// with NewDjangoCache; use it with djangocache.Codec.
//
// Versions are djangocache.ContentVersion of the Data (see package
// djangocache for why repeating versions are still safe); Update compares
// it inside a Lua script (redis.sha1hex), so compare-and-swap holds between
// any number of Go processes. Django's own writes are not
// compare-and-swap (its cache backend checks that the entry exists, then
// sets it): a Django write racing a Go write may win over it, as it would
// over another Django process's.
//
// Load reads the value and its expiry instant (PEXPIRETIME; before Redis
// 7.0 the server's time plus PTTL, which may be a few milliseconds off) in
// one script call;
// a key without an expiry (Django's timeout None) reads as expiring at the
// latest instant the store handles. A value that is not a string is
// reported as missing, matching ErrCorrupt. It is no session.Sweeper:
// Redis expires the keys. It needs Redis 5.0 or later, as Store does.
type DjangoCache struct {
	client redis.UniversalClient
	prefix string
	now    func() time.Time
}

var _ session.Store = (*DjangoCache)(nil)

// NewDjangoCache returns a DjangoCache on client. WithPrefix sets the start
// of the keys (djangocache.CachePrefix by default; use
// djangocache.CachedDBPrefix for the cache entries of cached_db, or
// another when Django's KEY_PREFIX or VERSION is not the default: the
// prefix is "<KEY_PREFIX>:<VERSION>:django.contrib.sessions.cache") and
// WithClock the clock that decides whether a given Expiry has passed;
// WithHashKeys is ignored, since Django's keys hold the session key. It
// panics if client is nil.
func NewDjangoCache(client redis.UniversalClient, opts ...Option) *DjangoCache {
	if client == nil {
		panic("redisstore: NewDjangoCache with a nil client")
	}
	cfg := config{prefix: djangocache.CachePrefix, now: time.Now}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return &DjangoCache{client: client, prefix: cfg.prefix, now: cfg.now}
}

// djangoPrelude holds the helpers of the DjangoCache scripts. version(v)
// is djangocache.ContentVersion of v, as 16 hex digits.
const djangoPrelude = `
local function version(v)
	local h = string.sub(redis.sha1hex(v), 1, 16)
	if h == '0000000000000000' then
		return '0000000000000001'
	end
	return h
end

local function put(key, data, expiry, dead, ms)
	if dead == '1' or tonumber(expiry) <= ms then
		redis.call('DEL', key)
		return
	end
	redis.call('SET', key, data)
	redis.call('PEXPIREAT', key, expiry)
end

local function nowms()
	local t = redis.call('TIME')
	return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- expiresAt is the key's expiry in Unix ms, or -1 when it has none.
local function expiresAt(key)
	local at = redis.pcall('PEXPIRETIME', key)
	if type(at) ~= 'number' then
		-- Before Redis 7.0: the remaining time, from the server's clock.
		local ttl = redis.call('PTTL', key)
		at = -1
		if ttl >= 0 then
			at = nowms() + ttl
		end
	end
	return at
end

-- dead reports whether a key expiring at 'at' is dead at the
-- application's time appms (Redis may not have removed it yet).
local function dead(at, appms)
	return at >= 0 and at <= tonumber(appms)
end
`

// djangoLoadScript returns false for a missing key, codeCorrupt for
// another type, else {value, expiry in Unix ms or -1 without expiry}.
var djangoLoadScript = redis.NewScript(djangoPrelude + `
local key = KEYS[1]
local kind = redis.call('TYPE', key)['ok']
if kind == 'none' then
	return false
end
if kind ~= 'string' then
	return -4
end
local at = expiresAt(key)
return {redis.call('GET', key), at}
`)

// djangoCreateScript: ARGV = data, expiry (Unix ms), dead, the
// application's time (Unix ms). It returns codeExists when a live key
// exists, else 1 (nothing is stored when dead). A key dead by the
// application's clock is replaced.
var djangoCreateScript = redis.NewScript(djangoPrelude + `
local key = KEYS[1]
if redis.call('EXISTS', key) == 1 then
	if not dead(expiresAt(key), ARGV[4]) then
		return -1
	end
	redis.call('DEL', key)
end
put(key, ARGV[1], ARGV[2], ARGV[3], nowms())
return 1
`)

// djangoUpdateScript: ARGV = data, expiry, dead, expected version (16 hex
// digits), the application's time (Unix ms). It returns 1, or
// codeNotFound (also for a key dead by the application's clock),
// codeCorrupt or codeConflict.
var djangoUpdateScript = redis.NewScript(djangoPrelude + `
local key = KEYS[1]
local kind = redis.call('TYPE', key)['ok']
if kind == 'none' then
	return -3
end
if kind ~= 'string' then
	return -4
end
if dead(expiresAt(key), ARGV[5]) then
	return -3
end
if version(redis.call('GET', key)) ~= ARGV[4] then
	return -2
end
put(key, ARGV[1], ARGV[2], ARGV[3], nowms())
return 1
`)

// Load returns the live record under key: one script call.
func (s *DjangoCache) Load(ctx context.Context, key string) (session.Record, error) {
	if err := checkKey(ctx, "load", key, errLoadInvalid); err != nil {
		return session.Record{}, err
	}
	res, err := djangoLoadScript.Run(ctx, s.client, []string{s.prefix + key}).Result()
	if err != nil {
		return session.Record{}, wrap(ctx, "load", err)
	}
	if n, ok := res.(int64); ok && n == codeCorrupt {
		return session.Record{}, corrupt("load", "the key holds another type than a string")
	}
	vals, ok := res.([]any)
	if !ok || len(vals) != 2 {
		return session.Record{}, fmt.Errorf("redisstore: load: unexpected script reply %T", res)
	}
	data, ok1 := vals[0].(string)
	ms, ok2 := vals[1].(int64)
	if !ok1 || !ok2 {
		return session.Record{}, fmt.Errorf("redisstore: load: unexpected script reply %T, %T", vals[0], vals[1])
	}
	if ms < 0 || ms > maxInt {
		ms = maxInt
	}
	expiry := time.UnixMilli(ms)
	if !expiry.After(s.now()) {
		return session.Record{}, errLoadNotFound
	}
	b := []byte(data)
	return session.Record{Data: b, Expiry: expiry, Version: djangocache.ContentVersion(b)}, nil
}

// Create stores rec under key unless the key exists (an error matching
// session.ErrExists): Django's cache.add. One script call.
func (s *DjangoCache) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	if err := checkKey(ctx, "create", key, errCreateInvalid); err != nil {
		return 0, err
	}
	ms, dead := expiryArgs(rec.Expiry, s.now())
	n, err := djangoCreateScript.Run(ctx, s.client, []string{s.prefix + key}, rec.Data, ms, dead, s.now().UnixMilli()).Int64()
	return djangoReply(ctx, "create", n, err, createCodes, rec)
}

// Update replaces the record under key if its content still has version
// rec.Version. One script call.
func (s *DjangoCache) Update(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	if err := checkKey(ctx, "update", key, errUpdateInvalid); err != nil {
		return 0, err
	}
	ms, dead := expiryArgs(rec.Expiry, s.now())
	var want [8]byte
	for i := range want {
		want[i] = byte(rec.Version >> (56 - 8*i))
	}
	n, err := djangoUpdateScript.Run(ctx, s.client, []string{s.prefix + key}, rec.Data, ms, dead, hex.EncodeToString(want[:]), s.now().UnixMilli()).Int64()
	return djangoReply(ctx, "update", n, err, djangoUpdateCodes, rec)
}

// djangoReply is writeReply for the Django scripts, which reply 1 when
// they have stored rec: then the version is rec's content version.
func djangoReply(ctx context.Context, op string, n int64, err error, codes map[int64]error, rec session.Record) (session.Version, error) {
	if err == nil && n > 1 {
		return 0, fmt.Errorf("redisstore: %s: unexpected script reply %d", op, n)
	}
	if _, err := writeReply(ctx, op, n, err, codes); err != nil {
		return 0, err
	}
	return djangocache.ContentVersion(rec.Data), nil
}

// Delete removes the entry under key with one DEL (Django's cache.delete).
func (s *DjangoCache) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: delete: %w", err)
	}
	if !session.ValidKey(key) {
		return nil
	}
	return wrap(ctx, "delete", s.client.Del(ctx, s.prefix+key).Err())
}
