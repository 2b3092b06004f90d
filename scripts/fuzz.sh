#!/usr/bin/env bash
# Runs each libFuzzer target (build/fuzz, clang-14, ASan + UBSan) for SECONDS (default 60) from
# its seed corpus in fuzz/corpus/, and first replays every saved crasher in fuzz/crashers/.
# New findings are written to fuzz/artifacts/ and fail the run.
#
# fuzz_http and fuzz_json parse request-sized inputs: up to 8 KiB, 10 s per input. fuzz_file
# spends the first half of its time the same way on small files (up to 64 KiB), and the second
# half on large ones: inputs up to 4 MiB grown at once (-len_control=0) from ~1 MiB seeds made
# of many small pieces (PDF stream keywords, PNG chunks, JPEG segments; generated here, not kept
# in the repository), with 5 s per input. A check whose work grows faster than its input takes
# far longer than that on these seeds, so super-linear behaviour is a finding (a timeout).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
mkdir -p fuzz/artifacts

# Large seeds for fuzz_file in directory $1: ~1 MiB each.
big_file_seeds() {
  python3 - "$1" <<'PY'
import struct, sys, zlib
out = sys.argv[1]
def write(name, data):
    open(f"{out}/{name}", "wb").write(data)
write("big_streams.pdf", b"%PDF-1.4\n" + b"stream\nendstream\n" * 64000 + b"%%EOF\n")
write("big_flate.pdf", b"%PDF-1.4\n" + b"<< /Filter /FlateDecode >>\nstream\nx\nendstream\n" * 24000
      + b"%%EOF\n")
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
       + chunk(b"tEXt", b"k\0v") * 70000 + chunk(b"IDAT", zlib.compress(b"\0" * 52))
       + chunk(b"IEND", b""))
write("big_chunks.png", png)
jpeg = (b"\xff\xd8" + b"\xff\xe1\x00\x06abcd" * 130000 + b"\xff\xc0\x00\x0b\x08\x00\x04\x00\x04"
        b"\x01\x01\x11\x00\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\x12\x34\xff\xd9")
write("big_segments.jpg", jpeg)
PY
}

# fuzz BIN WORK SECONDS FLAGS...: one run from the corpus in WORK; exits on a finding.
fuzz() {
  local bin=$1 work=$2 secs=$3
  shift 3
  "$bin" -max_total_time="$secs" "$@" -rss_limit_mb=2048 -artifact_prefix=fuzz/artifacts/ \
    -print_final_stats=1 "$work" 2>"$work.log" || {
      tail -50 "$work.log" >&2
      echo "fuzz: ${bin##*/} found a problem (see fuzz/artifacts/)" >&2
      exit 1
    }
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work.log" |
    sed "s/^/  ${bin##*/} /" >&2
}

for target in fuzz_http fuzz_json fuzz_file; do
  name=${target#fuzz_}
  bin=build/fuzz/fuzz/$target
  if [ -d "fuzz/crashers/$name" ] && [ -n "$(ls -A "fuzz/crashers/$name")" ]; then
    "$bin" -runs=0 "fuzz/crashers/$name"/* >/dev/null 2>&1 || { echo "crasher regression in $target" >&2; exit 1; }
  fi
  work=$(mktemp -d)
  cp fuzz/corpus/"$name"/* "$work"/
  echo "fuzz: $target for ${seconds}s" >&2
  if [ "$target" = fuzz_file ]; then
    small=$(( (seconds + 1) / 2 ))
    fuzz "$bin" "$work" "$small" -max_len=65536 -timeout=10
    big_file_seeds "$work"
    fuzz "$bin" "$work" $(( seconds - small > 0 ? seconds - small : 1 )) \
      -max_len=4194304 -len_control=0 -timeout=5
  else
    fuzz "$bin" "$work" "$seconds" -max_len=8192 -timeout=10
  fi
  rm -rf "$work" "$work.log" /tmp/motcua-fuzz-*
done
