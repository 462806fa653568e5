-- wrk script: GET each path of a file in turn, with a bearer token; print one parseable line.
-- usage: wrk ... -s benchmarks/wrk.lua URL -- PATHS_FILE TOKEN
local paths = {}
local n = 0

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  n = math.random(#paths)
end

function request()
  n = n % #paths + 1
  return wrk.format("GET", paths[n])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
