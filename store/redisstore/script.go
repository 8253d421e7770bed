package redisstore

import "github.com/redis/go-redis/v9"

// Names of the fields of a session's hash.
const (
	fieldData    = "data"
	fieldVersion = "version"
	fieldExpiry  = "expiry"
)

// Codes the scripts return instead of a version (versions are positive).
const (
	codeExists   = -1 // Create: a live record is there
	codeConflict = -2 // Update: the record has another version
	codeNotFound = -3 // Update: no record, or a dead one
	codeCorrupt  = -4 // Update: the key holds something that is not a record
)

// scriptPrelude holds the helpers both scripts share. Every script is
// called with KEYS[1], the session's Redis key, and nothing else, so a
// Cluster routes it to the key's master.
//
// now() reads the server's clock once. int() accepts only the canonical
// decimal form of a positive integer below 2^53 (exact as a Lua number),
// the form the scripts write, so a version read back compares equal as a
// string and as a number. state() classifies what the key holds at server
// time ms: "none", "corrupt" (not a hash of our three fields with valid
// numbers), "dead" (expiry not after ms; Redis is about to remove it) or
// "live", with the stored version when it is valid.
const scriptPrelude = `
local function now()
	local t = redis.call('TIME')
	local us = tonumber(t[1]) * 1000000 + tonumber(t[2])
	return us, math.floor(us / 1000)
end

local function int(s)
	if type(s) ~= 'string' or #s > 16 or not string.match(s, '^[1-9][0-9]*$') then
		return nil
	end
	local n = tonumber(s)
	if n >= 9007199254740992 then
		return nil
	end
	return n
end

local function state(key, ms)
	local kind = redis.call('TYPE', key)['ok']
	if kind == 'none' then
		return 'none', nil, nil
	end
	if kind ~= 'hash' then
		return 'corrupt', nil, nil
	end
	local f = redis.call('HMGET', key, 'version', 'expiry')
	local v, e = int(f[1]), int(f[2])
	if not v or not e or redis.call('HEXISTS', key, 'data') == 0 then
		return 'corrupt', nil, nil
	end
	if e <= ms then
		return 'dead', v, f[1]
	end
	return 'live', v, f[1]
end

-- put writes the record and its Redis expiry, or, when the record is dead
-- on arrival, makes sure nothing is left under the key.
local function put(key, data, expiry, dead, version, ms)
	if dead == '1' or tonumber(expiry) <= ms then
		redis.call('DEL', key)
		return
	end
	redis.call('HSET', key, 'data', data, 'version', string.format('%.0f', version), 'expiry', expiry)
	redis.call('PEXPIREAT', key, expiry)
end
`

// createScript is Create: ARGV = data, expiry (Unix ms), dead ("1" when the
// record's expiry has passed by the application's clock, else "0").
// It returns the new version, or codeExists when a live record is there.
// Anything else under the key (a dead record Redis has not removed yet,
// a corrupt value) is replaced; a dead record's version still counts, so
// the new version is above it.
var createScript = redis.NewScript(scriptPrelude + `
local key = KEYS[1]
local us, ms = now()
local st, prev = state(key, ms)
if st == 'live' then
	return -1
end
local version = math.max((prev or 0) + 1, us)
if st ~= 'none' then
	redis.call('DEL', key)
end
put(key, ARGV[1], ARGV[2], ARGV[3], version, ms)
return version
`)

// updateScript is Update: ARGV = data, expiry (Unix ms), dead (as for
// createScript), expected version (decimal). It returns the new version,
// or codeNotFound (no live record), codeCorrupt (the key holds something
// else; left as it is) or codeConflict (another version). A dead update
// that matches deletes the record.
var updateScript = redis.NewScript(scriptPrelude + `
local key = KEYS[1]
local us, ms = now()
local st, prev, raw = state(key, ms)
if st == 'none' or st == 'dead' then
	return -3
end
if st == 'corrupt' then
	return -4
end
if raw ~= ARGV[4] then
	return -2
end
local version = math.max(prev + 1, us)
put(key, ARGV[1], ARGV[2], ARGV[3], version, ms)
return version
`)
