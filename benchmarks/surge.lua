-- wrk script for the surge section of benchmarks/run.py.
--
-- Arguments after "--": MODE SLUG [PREFIX]
--   lookups: GET /c/SLUG?postcode=..., a postcode no one asked for before on every request
--            (outward code PREFIX followed by the wrk thread's number, inward code from a
--            counter: 4,000 per thread), each answer sorted into a place found, the lists, or
--            anything else;
--   page:    GET /c/SLUG (the campaign page), each connection pausing PAUSE_MS between requests,
--            so it times the page beside the lookups without adding a load of its own.
-- done() prints one line, BENCH {json}, as wrk.lua does.

local PAUSE_MS = 20
local LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
local FOUND = '<input type="hidden" name="postcode"'  -- the choose step, for the place found
local LISTS = 'id="pfa"'  -- the campaign page with the lists open

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  table.insert(threads, thread)
  next_id = next_id + 1
end

function init(args)
  mode, slug, prefix = args[1], args[2], args[3]
  sent, found, lists, other = 0, 0, 0, 0
  page = wrk.format("GET", "/c/" .. slug)
end

function request()
  if mode == "page" then
    return page
  end
  local i = sent % 4000
  sent = sent + 1
  local a, b = math.floor(i / 10) % 20 + 1, math.floor(i / 200) % 20 + 1
  local postcode = prefix .. id .. "+" .. (i % 10) .. LETTERS:sub(a, a) .. LETTERS:sub(b, b)
  return wrk.format("GET", "/c/" .. slug .. "?postcode=" .. postcode)
end

function delay()
  if mode == "page" then
    return PAUSE_MS
  end
  return 0
end

function response(status, headers, body)
  if mode == "page" then
    return
  end
  if status == 200 and body:find(FOUND, 1, true) then
    found = found + 1
  elseif status == 200 and body:find(LISTS, 1, true) then
    lists = lists + 1
  else
    other = other + 1
  end
end

function done(summary, latency, _)
  local f, l, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    f = f + (thread:get("found") or 0)
    l = l + (thread:get("lists") or 0)
    o = o + (thread:get("other") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "found": %d, "lists": %d, "other": %d, '
      .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50.0), latency:percentile(99.0),
    latency.max, f, l, o, e.connect, e.read, e.write, e.status, e.timeout
  ))
end
