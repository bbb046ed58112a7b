-- Counts answers by status for wrk. Loaded by the other scripts (dofile) or used as it is for
-- GETs:  wrk -s bench/http/status.lua -H "Authorization: Bearer T" URL
-- Prints one line that bench/http/run.sh reads:
--   statuses: created=N ok=N other=N first_other=STATUS
-- A run with other > 0 is invalid: its rate would count refusals as work.
local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

created, ok, other, first_other = 0, 0, 0, ""

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status == 200 then
    ok = ok + 1
  else
    if other == 0 then first_other = status .. " " .. (body or ""):sub(1, 200) end
    other = other + 1
  end
end

function done(summary, latency, requests)
  local c, o, x, first = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    o = o + thread:get("ok")
    x = x + thread:get("other")
    if first == "" then first = thread:get("first_other") end
  end
  io.write(string.format("statuses: created=%d ok=%d other=%d first_other=%s\n", c, o, x,
                         first:gsub("%s+", " ")))
end
