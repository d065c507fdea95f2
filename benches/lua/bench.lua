-- A mixed Lua workload: recursion, table churn, sorting, string building.
-- N (set with -e before this script) scales the work; the checksum is
-- compared with the native Lua's.
local N = N or 1
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local sum = 0
for round = 1, N do
  local t = {}
  for i = 1, 60000 do t[i] = (i * 7919 + round) % 100003 end
  table.sort(t)
  for i = 1, #t, 97 do sum = (sum + t[i]) % 4294967296 end
  local parts = {}
  for i = 1, 3000 do parts[#parts + 1] = tostring(i * round) end
  local s = table.concat(parts, ",")
  sum = (sum + #s + fib(22)) % 4294967296
  local m = {}
  for i = 1, 20000 do m["k" .. (i % 5000)] = (m["k" .. (i % 5000)] or 0) + i end
  for _, v in pairs(m) do sum = (sum + v) % 4294967296 end
end
print("checksum: " .. math.floor(sum))
