#!/usr/bin/env bash
# make fuzz-smoke: every fuzz target for FUZZ_SECONDS (default 60), FUZZ_JOBS (default 2)
# at a time. Fails on any crash, hang (one input > 10 s) or out-of-memory (> 2 GiB RSS).
# Working corpora grow in fuzz/corpus/<target> (not committed); seeds are fuzz/seeds/<target>.
# Prints executions per target and writes them to fuzz/last-smoke.txt.
set -uo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-2}
# cargo fuzz needs nightly flags (-Zsanitizer=address); only stable Rust is available here.
export RUSTC_BOOTSTRAP=1
TARGETS=$(cargo fuzz list) || exit 1
echo "==> building fuzz targets (libFuzzer + ASan): $(echo $TARGETS)"
cargo fuzz build -O >/tmp/fuzz-build.$$ 2>&1 || { cat /tmp/fuzz-build.$$; rm -f /tmp/fuzz-build.$$; exit 1; }
rm -f /tmp/fuzz-build.$$
BIN=target/x86_64-unknown-linux-gnu/release
LOGS=$(mktemp -d)
export ASAN_OPTIONS="detect_odr_violation=0:detect_leaks=1"

run_one() {
  local t=$1
  mkdir -p "corpus/$t" "artifacts/$t"
  "$BIN/$t" "corpus/$t" "seeds/$t" -dict=spectrocoin.dict \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -max_len=70000 -print_final_stats=1 -artifact_prefix="artifacts/$t/" \
    >"$LOGS/$t.log" 2>&1
  echo $? >"$LOGS/$t.rc"
}
export -f run_one
export BIN LOGS SECONDS_PER_TARGET

echo "==> fuzzing each target for ${SECONDS_PER_TARGET} s, ${JOBS} at a time"
printf '%s\n' $TARGETS | xargs -P "$JOBS" -I{} bash -c 'run_one {}'

fail=0
{
  printf '%-22s %12s %10s %8s %s\n' target executions exec/s corpus result
  for t in $TARGETS; do
    rc=$(cat "$LOGS/$t.rc" 2>/dev/null || echo 99)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOGS/$t.log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$LOGS/$t.log" | tail -1)
    corpus=$(find "corpus/$t" -type f | wc -l)
    if [ "$rc" = 0 ]; then result=ok; else
      result="FAILED (exit $rc): $(grep -m1 -E 'panicked|ERROR: libFuzzer|ERROR: AddressSanitizer|out-of-memory|timeout' "$LOGS/$t.log")"
      fail=1
    fi
    printf '%-22s %12s %10s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "$corpus" "$result"
  done
} | tee last-smoke.txt
if [ $fail -ne 0 ]; then
  for t in $TARGETS; do
    if [ "$(cat "$LOGS/$t.rc")" != 0 ]; then
      echo "---- $t (log tail; reproducer in fuzz/artifacts/$t/)"
      grep -v '^#[0-9]' "$LOGS/$t.log" | tail -40
    fi
  done
  echo "fuzz-smoke: FAILED — turn the reproducer into a regression test (tests/fuzz_regressions.rs)"
  exit 1
fi
total=$(awk 'NR>1 && $2 ~ /^[0-9]+$/ {s+=$2} END {print s}' last-smoke.txt)
echo "==> fuzz-smoke: no crash, hang or OOM; ${total} executions in all"
rm -rf "$LOGS"
