"""The Lua scripts of the Redis store (``redis.py``), each run atomically on one room's
keys: a commit (compare the version, write the state, append the record, publish), the
first state of a room, and the repair after Redis lost data."""

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
