-- wrk script: every request records a new, valid fee payment.
--   wrk -t1 -c64 -d10s -s bench/http/payments.lua URL -- TOKEN COMMUNITY UNITS FIRST_MONTH FEE_FEN PAID_ON RUN THREADS
-- The community holds UNITS units "u-00000".. of one area, each owing FEE_FEN a month from
-- FIRST_MONTH (YYYY-MM). Thread t of THREADS pays for its own slice of the units, unit after unit,
-- one month each: the n-th request of a thread pays the month after the one its unit paid last
-- time round (a prepayment once the calendar is passed, which the domain accepts), so no two
-- requests pay the same unit's month. Idempotency keys are RUN-t<t>-<n>: unique per run, so
-- every answer must be 201 (a 200 would be a replay, not a new payment): bench/http/run.sh checks
-- that the server appended as many entries as wrk counted answers, and that none was an error.
-- The request is concatenated from a fixed head (not wrk.format, which rebuilds every header per
-- request) and there is no response() hook (wrk would build a table of headers and copy the body
-- of every answer into Lua): wrk shares the machine's two cores with the server, and its own work
-- per request would otherwise be measured as the server's.
local threads_set_up = 0

function setup(thread)
  thread:set("thread_index", threads_set_up)
  threads_set_up = threads_set_up + 1
end

local methods = { "wechat", "alipay", "bank" }

function init(args)
  token, community = args[1], args[2]
  units = tonumber(args[3])
  local year, month = args[4]:match("^(%d%d%d%d)-(%d%d)$")
  first_month = tonumber(year) * 12 + tonumber(month) - 1
  fee_fen = tonumber(args[5])
  paid_on, run = args[6], args[7]
  local thread_count = tonumber(args[8])
  slice = math.floor(units / thread_count)
  slice_start = thread_index * slice
  assert(slice > 0, "fewer units than threads")
  head = "POST /v1/communities/" .. community .. "/payments HTTP/1.1\r\nHost: " .. wrk.headers["Host"] ..
    "\r\nAuthorization: Bearer " .. token .. "\r\nContent-Type: application/json\r\nContent-Length: "
  sent = 0
end

function request()
  local n = sent
  sent = sent + 1
  local unit = slice_start + n % slice
  local m = first_month + math.floor(n / slice)
  local key = string.format("%s-t%d-%d", run, thread_index, n)
  local body = string.format(
    '{"idempotency_key":"%s","unit_id":"u-%05d","amount":%d,"period":"%04d-%02d","months":1,' ..
    '"paid_on":"%s","method":"%s","receipt_ref":"%s"}',
    key, unit, fee_fen, math.floor(m / 12), m % 12 + 1, paid_on, methods[n % 3 + 1], key)
  return head .. #body .. "\r\n\r\n" .. body
end
