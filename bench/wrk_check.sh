# Sourced by the bench scripts. wrk_run LABEL OUT [wrk arguments...] runs wrk with
# bench/wrk_errors.lua (or, with WRK_SCRIPT set, that script, which must end with its done()),
# keeps wrk's output in OUT and fails the benchmark, showing the errors, when wrk failed, made
# no request, or met any non-2xx answer, socket error or timeout: such a run's rate would count
# errors as throughput.
wrk_errors_lua="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/wrk_errors.lua"
wrk_run() {
  local label=$1 out=$2
  shift 2
  if ! wrk -s "${WRK_SCRIPT:-$wrk_errors_lua}" "$@" >"$out" 2>&1; then
    echo "bench: wrk failed ($label):" >&2
    cat "$out" >&2
    exit 1
  fi
  local line
  line=$(grep '^WRK-ERRORS ' "$out") || {
    echo "bench: no error counts from wrk ($label):" >&2
    cat "$out" >&2
    exit 1
  }
  local requests errors
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  errors=$(sed -E 's/^WRK-ERRORS requests=[0-9]+ //' <<<"$line")
  if [ "$requests" -eq 0 ] || [ "$errors" != "status=0 connect=0 read=0 write=0 timeout=0" ]; then
    echo "bench: FAILED, $label: $requests requests, errors: $errors" >&2
    grep -E "Non-2xx|Socket errors" "$out" >&2 || true
    exit 1
  fi
}
