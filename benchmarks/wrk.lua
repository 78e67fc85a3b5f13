-- wrk script for benchmarks/run.py: requests taken in turn from a list, and a JSON summary.
--
-- Arguments after "--": METHOD CONTENT_TYPE PATH BODY_FILE [PATH BODY_FILE ...]
-- ("-" for no content type or no body). Every request is formatted once, in init.

local requests = {}
local counter = 0

function init(args)
  wrk.method = args[1]
  if args[2] ~= "-" then
    wrk.headers["Content-Type"] = args[2]
  end
  for i = 3, #args, 2 do
    local body = nil
    if args[i + 1] ~= "-" then
      local f = assert(io.open(args[i + 1], "rb"))
      body = f:read("*a")
      f:close()
    end
    requests[#requests + 1] = wrk.format(nil, args[i], nil, body)
  end
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50.0), latency:percentile(99.0),
    e.connect, e.read, e.write, e.status, e.timeout
  ))
end
