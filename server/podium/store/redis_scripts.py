"""The Lua scripts of the Redis store (``redis.py``), each run atomically on one room's
keys: a commit (compare the version, write the state, append the record, publish), the
first state of a room, the repair after Redis lost data, and the automations' outbox
(claim a batch with a lease, renew it, note a part or the batch done, take over the
batches whose lease lapsed)."""

# KEYS: state hash, log stream, changes channel, command ids
# ARGV: expected stored version, new version, state JSON, record JSON, log max, commit id,
#       command id (or ""), command ids kept
# Returns {1, version} (written), {0, current} (conflict) or {2, made} (the command id
# was applied before, making version ``made``).
COMMIT = """
local current = redis.call('HGET', KEYS[1], 'version')
if current == false then current = -1 else current = tonumber(current) end
if current == tonumber(ARGV[2]) and redis.call('HGET', KEYS[1], 'commit') == ARGV[6] then
  return {1, current}
end
if ARGV[7] ~= '' then
  local made = redis.call('ZSCORE', KEYS[4], ARGV[7])
  if made then return {2, tonumber(made)} end
end
if current ~= tonumber(ARGV[1]) then return {0, current} end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'state', ARGV[3], 'commit', ARGV[6])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', 'record', ARGV[4])
if ARGV[7] ~= '' then
  redis.call('ZADD', KEYS[4], ARGV[2], ARGV[7])
  redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -1 - tonumber(ARGV[8]))
end
redis.call('PUBLISH', KEYS[3], ARGV[3])
return {1, tonumber(ARGV[2])}
"""

# KEYS: state hash, log stream, changes channel
# ARGV: state JSON, record JSON, log max. Returns the stored state JSON.
CREATE = """
local stored = redis.call('HGET', KEYS[1], 'state')
if stored then return stored end
redis.call('HSET', KEYS[1], 'version', 0, 'state', ARGV[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'record', ARGV[2])
redis.call('PUBLISH', KEYS[3], ARGV[1])
return ARGV[1]
"""

# KEYS: state hash, log stream, changes channel
# ARGV: version, state JSON, log max, gap record JSON (or "" for none).
# Writes only when the stored state is absent or older; returns the version it replaced
# (-1 for none) or false when it wrote nothing.
REPAIR = """
local current = redis.call('HGET', KEYS[1], 'version')
if current ~= false and tonumber(current) >= tonumber(ARGV[1]) then return false end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'state', ARGV[2])
if ARGV[4] ~= '' then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'record', ARGV[4])
end
redis.call('PUBLISH', KEYS[3], ARGV[2])
if current == false then return -1 end
return tonumber(current)
"""

# -- automations: the outbox. Keys of one room: the pending batches (hash: key -> entry),
# their leases (sorted set: key -> lease end, ms of Redis' own clock, so the processes'
# clocks do not matter), who holds each (hash: key -> owner), the parts done (hash: key ->
# the parts' ids, a line each) and the keys done (sorted set: key -> when, kept a day).
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: outbox, leases, owners, done parts, sent. ARGV: key, entry, owner, lease ms, kept ms.
# Returns 1 (claimed: stored, leased to owner) or 0 (pending or done already).
OUTBOX_CLAIM = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - tonumber(ARGV[5]))
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 or redis.call('ZSCORE', KEYS[5], ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[1])
return 1
"""
)

# KEYS: leases, owners. ARGV: owner, lease ms, key... Returns the keys the owner still holds
# (each leased again for lease ms from now).
OUTBOX_RENEW = (
    _NOW
    + """
local held = {}
for i = 3, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[1] and redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[i])
    table.insert(held, ARGV[i])
  end
end
return held
"""
)

# KEYS: outbox, done parts. ARGV: key, part. Notes the part done while the batch is pending.
OUTBOX_PART = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
local parts = redis.call('HGET', KEYS[2], ARGV[1]) or ''
redis.call('HSET', KEYS[2], ARGV[1], parts .. ARGV[2] .. '\\n')
return 1
"""

# KEYS: outbox, leases, owners, done parts, sent. ARGV: key. The batch is done.
OUTBOX_DONE = (
    _NOW
    + """
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[5], now, ARGV[1])
return 1
"""
)

# KEYS: outbox, leases, owners, done parts. ARGV: owner, lease ms, limit. Takes over the
# pending batches whose lease lapsed; returns key, entry, parts done (a line each) for each.
OUTBOX_LAPSED = (
    _NOW
    + """
local keys = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local taken = {}
for _, key in ipairs(keys) do
  local entry = redis.call('HGET', KEYS[1], key)
  if entry then
    redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), key)
    redis.call('HSET', KEYS[3], key, ARGV[1])
    table.insert(taken, key)
    table.insert(taken, entry)
    table.insert(taken, redis.call('HGET', KEYS[4], key) or '')
  else
    redis.call('ZREM', KEYS[2], key)
    redis.call('HDEL', KEYS[3], key)
  end
end
return taken
"""
)
