-- Loaded into every wrk run of the bench scripts (wrk -s): prints wrk's error counts on one line
-- that bench/wrk_check.sh reads; a run with any error fails the benchmark. "status" is wrk's
-- count of answers with a status of 400 or more (what wrk calls "Non-2xx or 3xx responses";
-- the routes measured never redirect), the others are socket errors and timeouts (2 s).
-- Only done() is defined: wrk then reads answers as fast as without a script.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK-ERRORS requests=%d status=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, e.status, e.connect, e.read, e.write, e.timeout))
end
