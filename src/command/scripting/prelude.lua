-- The Redis API inside scripts, in Lua (loaded once per VM by vm.rs, chunk "=rredis").
--
-- Rust provides `host` functions that never raise errors: they return values, or
-- (ok, value) pairs. These wrappers raise errors the way Redis 7.0 does, so that error
-- values are plain strings and {err=...} tables, and positions point at the user's code.
-- Finally the global table is locked: reads of unknown names and every write fail.
local internal = ...
local G = {}
local env = _G
local error, type, tostring, select, unpack = error, type, tostring, select, unpack
local rawget, rawset, rawequal, setmetatable, getmetatable = rawget, rawset, rawequal, setmetatable, getmetatable
local raw_pcall, next, tonumber = pcall, next, tonumber
local floor, ceil = math.floor, math.ceil

local function pack(...) return select('#', ...), {...} end

-- lua_tonumber then a C cast to int: non-numbers are 0, fractions truncate.
local function toint(v)
  local n = tonumber(v) or 0
  if n >= 0 then return floor(n) end
  return ceil(n)
end

-- luaL_checkint for argument i of the Lua function fname.
local function checkint(i, fname, ...)
  local v = select(i, ...)
  if tonumber(v) == nil then
    local got = select('#', ...) < i and 'no value' or type(v)
    error("bad argument #" .. i .. " to '" .. fname .. "' (number expected, got " .. got .. ")", 4)
  end
  return toint(v)
end

local function fail(msg)
  error({err = 'ERR ' .. msg})
end

-- Proxies of the library tables: reads pass through, writes fail as on Redis's
-- read-only tables.
local readonly = setmetatable({}, {__mode = 'k'})
local function readonly_error()
  error('Attempt to modify a readonly table', 2)
end
local function protect(t)
  local proxy = {}
  for k, v in next, t do
    if type(v) == 'table' and not readonly[v] then
      t[k] = protect(v)
    end
  end
  setmetatable(proxy, {__index = t, __newindex = readonly_error, __metatable = false})
  readonly[proxy] = true
  return proxy
end

-- redis.*: redis.call and redis.pcall are C functions (internal.call, internal.pcall)
-- set below; the others check that a script is running first, as in Redis.
local redis = {}
local active = internal.active

redis.setresp = function(...)
  if not active() then fail('redis.setresp can only be called inside a script invocation') end
  if select('#', ...) ~= 1 then fail('redis.setresp() requires one argument.') end
  local resp = toint((...))
  if resp ~= 2 and resp ~= 3 then fail('RESP version must be 2 or 3.') end
  internal.setresp(resp)
end

redis.set_repl = function(...)
  if not active() then fail('redis.set_repl can only be called inside a script invocation') end
  if select('#', ...) ~= 1 then fail('redis.set_repl() requires two arguments.') end
  local flags = toint((...))
  if flags < 0 or flags > 3 then
    fail('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.')
  end
end

redis.acl_check_cmd = function(...)
  if not active() then fail('redis.acl_check_cmd can only be called inside a script invocation') end
  local ok, allowed = internal.acl_check(...)
  if not ok then error(allowed) end
  if allowed == nil then fail('Invalid command passed to redis.acl_check_cmd()') end
  return allowed
end

redis.sha1hex = function(...)
  if select('#', ...) ~= 1 then fail('wrong number of arguments') end
  local s = ...
  if type(s) == 'number' then s = tostring(s) elseif type(s) ~= 'string' then s = '' end
  return internal.sha1hex(s)
end

-- An error string, with or without its leading '-', as a {err='CODE message'} table.
local sub, find, gsub, lower = string.sub, string.find, string.gsub, string.lower
local function error_table(e)
  local code, msg = 'ERR', e
  if sub(e, 1, 1) == '-' then
    local space = find(e, ' ', 1, true)
    if space then
      code, msg = sub(e, 2, space - 1), sub(e, space + 1)
    else
      msg = sub(e, 2)
    end
  end
  msg = gsub(gsub(msg, '^[\r\n]+', ''), '[\r\n]+$', '')
  return {err = code .. ' ' .. msg}
end

redis.error_reply = function(...)
  local e = ...
  if select('#', ...) ~= 1 or type(e) ~= 'string' then
    return {err = 'ERR wrong number or type of arguments'}
  end
  if sub(e, 1, 1) ~= '-' then e = '-' .. e end
  return error_table(e)
end

redis.status_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then
    return {err = 'ERR wrong number or type of arguments'}
  end
  return {ok = s}
end

redis.log = function(...)
  local n = select('#', ...)
  if n < 2 then fail('redis.log() requires two arguments or more.') end
  local level = ...
  if tonumber(level) == nil then fail('First argument must be a number (log level).') end
  level = toint(level)
  if level < 0 or level > 3 then fail('Invalid debug level.') end
  local text = ''
  for j = 2, n do
    local s = select(j, ...)
    if type(s) == 'string' or type(s) == 'number' then
      if j ~= 2 then text = text .. ' ' end
      text = text .. s
    end
  end
  internal.log(level, text)
end

redis.replicate_commands = function() return true end
redis.breakpoint = function() return false end
redis.debug = function() end
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.REDIS_VERSION = internal.version
redis.REDIS_VERSION_NUM = internal.version_num

-- math.random and math.randomseed on Redis's own rand48, shared by every script.
local math_ = env.math
math_.random = function(...)
  local r = internal.rand()
  local n = select('#', ...)
  if n == 0 then return r end
  if n == 1 then
    local u = checkint(1, 'random', ...)
    if u < 1 then error("bad argument #1 to 'random' (interval is empty)", 3) end
    return floor(r * u) + 1
  elseif n == 2 then
    local l = checkint(1, 'random', ...)
    local u = checkint(2, 'random', ...)
    if l > u then error("bad argument #2 to 'random' (interval is empty)", 3) end
    return floor(r * (u - l + 1)) + l
  end
  error('wrong number of arguments', 3)
end
math_.randomseed = function(...)
  internal.seed(checkint(1, 'randomseed', ...))
end

-- Libraries whose functions are Rust: a failure comes back as (nil, message) from a
-- function named raw_*, raised here at the caller's level.
local function raising(f)
  return function(...)
    local n, out = pack(f(...))
    if out[1] == internal.failed then error(out[2], 3) end
    return unpack(out, 1, n)
  end
end
local function library(t)
  local lib = {}
  for k, v in next, t do
    if type(v) == 'function' then lib[k] = raising(v) else lib[k] = v end
  end
  return lib
end
env.cjson = library(internal.cjson)
env.cmsgpack = library(internal.cmsgpack)
env.bit = library(internal.bit)
env.struct = library(internal.struct)

-- pcall sees redis errors as their message, as in Redis 7.0.
local function pcall_result(ok, ...)
  if not ok then
    local e = ...
    if type(e) == 'table' then
      local m = rawget(e, 'err')
      if type(m) == 'string' or type(m) == 'number' then e = m end
    end
    return false, e
  end
  return true, ...
end
env.pcall = function(f, ...)
  return pcall_result(raw_pcall(f, ...))
end

-- rawset and setmetatable refuse read-only tables, as the C functions do in Redis
-- (the error carries no position).
env.rawset = internal.cwrap(function(t, k, v)
  if readonly[t] then error('Attempt to modify a readonly table', 0) end
  return rawset(t, k, v)
end)
env.setmetatable = internal.cwrap(function(t, m)
  if readonly[t] then error('Attempt to modify a readonly table', 0) end
  return setmetatable(t, m)
end)

-- Every API function is seen as a C function, as in Redis (see vm.rs `c_wrap`).
local cwrap = internal.cwrap
local function cwrap_all(t)
  for k, v in next, t do
    if type(v) == 'function' then t[k] = cwrap(v) end
  end
end
cwrap_all(redis)
redis.call, redis.pcall = internal.call, internal.pcall
for _, lib in next, {env.cjson, env.cmsgpack, env.bit, env.struct} do cwrap_all(lib) end
math_.random = cwrap(math_.random)
math_.randomseed = cwrap(math_.randomseed)
env.redis = redis

-- Binary chunks are refused, as Redis's patched loadstring does.
local raw_loadstring = loadstring
env.loadstring = function(s, name)
  if type(s) == 'string' and sub(s, 1, 1) == '\27' then return nil end
  return raw_loadstring(s, name)
end

-- The globals scripts see: only Redis's allow list.
local allowed = {
  'string', 'cjson', 'bit', 'cmsgpack', 'math', 'table', 'struct', 'redis',
  'xpcall', 'tostring', 'getfenv', 'setmetatable', 'next', 'assert', 'tonumber',
  'rawequal', 'collectgarbage', 'getmetatable', 'rawset', 'pcall', 'coroutine', 'type',
  'select', 'unpack', 'gcinfo', 'pairs', 'rawget', 'loadstring', 'ipairs', '_VERSION',
  'setfenv', 'load', 'error', 'newproxy',
}
for _, name in next, allowed do
  local v = rawget(env, name)
  if type(v) == 'table' then v = protect(v) end
  G[name] = v
end
G._G = env
-- The message handler of every script run: errors become {err=...} tables that say
-- where in the user's code they happened.
local locate = internal.locate
local function handler(e)
  if type(e) ~= 'table' then
    e = {err = 'ERR ' .. tostring(e)}
  end
  locate(e)
  return e
end
G.__redis__err__handler = handler

-- Empty the real global table and make it a read-only window on G.
local names = {}
for k in next, env do names[#names + 1] = k end
for _, k in next, names do rawset(env, k, nil) end
local G_meta = {__index = function(_, name)
  error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
end, __newindex = readonly_error, __metatable = false}
setmetatable(G, G_meta)
local env_meta = {__index = G, __newindex = readonly_error}
-- getmetatable(_G) gives a read-only view of the metatable; G itself is read-only too.
env_meta.__metatable = setmetatable({}, {__index = env_meta, __newindex = readonly_error, __metatable = false})
readonly[env_meta.__metatable] = true
setmetatable(env, env_meta)
readonly[env] = true
readonly[G] = true

-- The busy-script hook is a C hook that every run sets (see host.rs).
local sethook = internal.sethook

-- FUNCTION LOAD support, only in the functions VM (the eval VM never loads libraries,
-- and what it does not run is collected).
if internal.load_api then
  -- FUNCTION LOAD: while a library's code runs, globals resolve to the load-time API only
  -- (redis.register_function, redis.log and the version), as in Redis.
  local loading = nil
  local function valid_name(name)
    return find(name, '^[%w_]+$') ~= nil
  end
  local function register(name, callback, desc, flags)
    if not valid_name(name) then
      fail('Library names can only contain letters, numbers, or underscores(_) and must be at least one character long')
    end
    for _, f in next, loading do
      if lower(f.name) == lower(name) then fail('Function already exists in the library') end
    end
    loading[#loading + 1] = {name = name, callback = callback, desc = desc, flags = flags}
  end
  local flag_names = {['no-writes'] = true, ['allow-oom'] = true, ['allow-stale'] = true,
    ['no-cluster'] = true, ['allow-cross-slot-keys'] = true}
  local function read_flags(t)
    local out, j = {}, 1
    while true do
      local v = t[j]
      if v == nil then break end
      if type(v) ~= 'string' and type(v) ~= 'number' then return nil end
      local name = lower(tostring(v))
      if not flag_names[name] then return nil end
      out[#out + 1] = name
      j = j + 1
    end
    return out
  end
  local function register_named(t)
    if type(t) ~= 'table' then
      fail('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).')
    end
    local name, desc, callback, flags
    for k, v in next, t do
      if type(k) ~= 'string' and type(k) ~= 'number' then
        fail('named argument key given to redis.register_function is not a string')
      end
      local key = lower(tostring(k))
      if key == 'function_name' then
        if type(v) ~= 'string' and type(v) ~= 'number' then fail('function_name argument given to redis.register_function must be a string') end
        name = tostring(v)
      elseif key == 'description' then
        if type(v) ~= 'string' and type(v) ~= 'number' then fail('description argument given to redis.register_function must be a string') end
        desc = tostring(v)
      elseif key == 'callback' then
        if type(v) ~= 'function' then fail('callback argument given to redis.register_function must be a function') end
        callback = v
      elseif key == 'flags' then
        if type(v) ~= 'table' then fail('flags argument to redis.register_function must be a table representing function flags') end
        flags = read_flags(v)
        if not flags then fail('unknown flag given') end
      else
        fail('unknown argument given to redis.register_function')
      end
    end
    if not name then fail('redis.register_function must get a function name argument') end
    if not callback then fail('redis.register_function must get a callback argument') end
    register(name, callback, desc, flags or {})
  end
  local lib_redis = {
    register_function = cwrap(function(...)
      if not loading then fail('redis.register_function can only be called on FUNCTION LOAD command') end
      local n = select('#', ...)
      if n < 1 or n > 2 then fail('wrong number of arguments to redis.register_function') end
      if n == 1 then return register_named((...)) end
      local name, callback = ...
      if type(name) ~= 'string' and type(name) ~= 'number' then fail('first argument to redis.register_function must be a string') end
      if type(callback) ~= 'function' then fail('second argument to redis.register_function must be a function') end
      register(tostring(name), callback, nil, {})
    end),
    log = redis.log,
    LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
    REDIS_VERSION = redis.REDIS_VERSION, REDIS_VERSION_NUM = redis.REDIS_VERSION_NUM,
  }
  setmetatable(lib_redis, G_meta)
  local lib_api = {redis = protect(lib_redis)}
  setmetatable(lib_api, G_meta)

  -- Runs a library's compiled code with the load-time globals; returns the functions it
  -- registered, or false and the error.
  -- A library's code may run for at most LOAD_TIMEOUT_MS (then every line fails).
  local LOAD_TIMEOUT_MS = 500
  local clock_ms = internal.clock_ms
  local load_deadline = 0
  local function load_hook()
    if clock_ms() > load_deadline then
      sethook(load_hook, 'l')
      error({err = 'ERR FUNCTION LOAD timeout'})
    end
  end
  internal.begin_load = function()
    loading = {}
    env_meta.__index = lib_api
    load_deadline = clock_ms() + LOAD_TIMEOUT_MS
    sethook(load_hook, '', 100000)
  end
  -- One line: once the call returns, no line event may fire before Rust removes the hook.
  internal.protected = function(f) return raw_pcall(f) end
  -- Back to the run-time globals; returns the registered functions, or false and the error.
  internal.end_load = function(ok, err)
    sethook()
    env_meta.__index = G
    local registered = loading
    loading = nil
    if not ok then
      if type(err) == 'table' and (type(rawget(err, 'err')) == 'string') then
        return false, rawget(err, 'err')
      end
      return false, 'ERR ' .. tostring(err)
    end
    return true, registered
  end
end

return G
