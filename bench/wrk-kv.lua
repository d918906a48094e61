-- wrk script for bench/compare-etcd.sh: the same key-value load on Synod's HTTP API and on etcd's JSON gateway.
--
--   wrk -t T -c C -d 10s -s bench/wrk-kv.lua URL -- SYSTEM OP KEYS VALUE_SIZE
--
-- SYSTEM: synod | etcd. OP: put | get | preload (every key once, in order, spread over the threads; then again).
-- Keys are k0 .. k<KEYS-1>, picked at random per request (preload: in order); values are VALUE_SIZE bytes.
--   synod  put  PUT  /v1/kv/k<N>, the value as the body          get  GET /v1/kv/k<N> (linearizable, the default)
--   etcd   put  POST /v3/kv/put {"key":b64,"value":b64}          get  POST /v3/kv/range {"key":b64} (linearizable)
-- Every request is formatted once, in init(), so both systems cost wrk the same per request.
-- done() prints one line: RESULT requests=.. seconds=.. rps=.. p50=.. p90=.. p99=.. p999=.. (microseconds)
-- non2xx=.. socket_errors=.. (and for preload: complete=true|false, whether every key was sent).

local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(data)
  local out = {}
  for i = 1, #data, 3 do
    local a, b, c = data:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local c1 = math.floor(n / 262144) % 64
    local c2 = math.floor(n / 4096) % 64
    local c3 = math.floor(n / 64) % 64
    local c4 = n % 64
    out[#out + 1] = b64chars:sub(c1 + 1, c1 + 1) .. b64chars:sub(c2 + 1, c2 + 1)
        .. (b and b64chars:sub(c3 + 1, c3 + 1) or "=") .. (c and b64chars:sub(c4 + 1, c4 + 1) or "=")
  end
  return table.concat(out)
end

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  system, op, keys, value_size = args[1], args[2], tonumber(args[3]), tonumber(args[4])
  if (system ~= "synod" and system ~= "etcd") or (op ~= "put" and op ~= "get" and op ~= "preload")
      or not keys or keys < 1 or not value_size then
    error("usage: -- synod|etcd put|get|preload KEYS VALUE_SIZE")
  end
  local value = string.rep("v", value_size)
  local value64 = base64(value)
  local headers = { ["Content-Type"] = "application/json" }
  requests = {}
  for n = 0, keys - 1 do
    local key = "k" .. n
    local write = op ~= "get"
    if system == "synod" then
      requests[n] = write and wrk.format("PUT", "/v1/kv/" .. key, nil, value) or wrk.format("GET", "/v1/kv/" .. key)
    elseif write then
      requests[n] = wrk.format("POST", "/v3/kv/put", headers,
          '{"key":"' .. base64(key) .. '","value":"' .. value64 .. '"}')
    else
      requests[n] = wrk.format("POST", "/v3/kv/range", headers, '{"key":"' .. base64(key) .. '"}')
    end
  end
  next_key = id -- preload: this thread's keys are id, id + threads, ...
  stride = tonumber(args[5]) or 1
  complete = false
  math.randomseed(os.time() + id * 7919)
end

function request()
  if op == "preload" then
    local n = next_key
    next_key = next_key + stride
    if next_key >= keys then
      next_key = id
      complete = true
    end
    return requests[n]
  end
  return requests[math.random(0, keys - 1)]
end

function done(summary, latency, requests)
  local e = summary.errors
  local line = string.format("RESULT requests=%d seconds=%.3f rps=%.1f p50=%d p90=%d p99=%d p999=%d non2xx=%d "
      .. "socket_errors=%d", summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), e.status,
      e.connect + e.read + e.write + e.timeout)
  local all = true
  for _, thread in ipairs(threads) do
    if not thread:get("complete") then
      all = false
    end
  end
  if threads[1] and thread_count > 0 and threads[1]:get("op") == "preload" then
    line = line .. " complete=" .. tostring(all)
  end
  print(line)
end
