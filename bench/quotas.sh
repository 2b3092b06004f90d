# Sourced by the bench scripts: sets quota_flags. One client files and uploads at a rate no real
# client may: the per-account and per-client quotas (Limits) are lifted for the run
# (MOTCUA_BENCH_QUOTAS=0: not, for a binary older than the quotas).
quota_flags=""
if [ "${MOTCUA_BENCH_QUOTAS:-1}" = 1 ]; then
  for q in filings_per_hour_per_citizen filings_burst_per_citizen filings_per_hour_per_officer \
    filings_burst_per_officer filings_per_hour_per_client filings_burst_per_client \
    uploads_per_hour_per_account uploads_burst_per_account uploads_per_hour_per_client \
    uploads_burst_per_client; do
    quota_flags+=" --limit $q=100000000"
  done
fi
