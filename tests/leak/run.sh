#!/usr/bin/env bash
# make leak-check: tests/leak/driver.php calls every PHP-facing function of the extension
# (success and error paths) N times in one php process, twice:
#   1. plain PHP: the Zend heap and RSS must not grow with N (per case, and in all);
#   2. under LeakSanitizer (clang's ASan runtime preloaded into Debian's php, PHP's own
#      allocator off with USE_ZEND_ALLOC=0 so every emalloc is a malloc LSan sees):
#      no leak whose allocation stack passes through the extension.
# Usage: tests/leak/run.sh [N]   (default 100000; `make test` runs 2000)
# Env: EXT (the .so), LEAK_NET_DIVISOR (default 10: round trips to the fake server run N/10).
set -uo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100000}
EXT=${EXT:-$PWD/target/debug/libspectrocoin.so}
PHP=${PHP:-php}
export LEAK_NET_DIVISOR=${LEAK_NET_DIVISOR:-10}
ASAN_RT=$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.asan-x86_64.so 2>/dev/null | sort -V | tail -1)
[ -n "$ASAN_RT" ] || { echo "leak-check: clang's ASan runtime not found (Debian: libclang-rt-14-dev)"; exit 1; }
[ -f "$EXT" ] || { echo "leak-check: $EXT not built"; exit 1; }
WORK=$(mktemp -d)
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

# PHP dlopens extensions with RTLD_DEEPBIND, which the sanitizer runtime refuses; this
# preloaded shim drops that flag (harmless here: one extension, no conflicting symbols).
cat >"$WORK/nodeepbind.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
void *dlopen(const char *file, int flags) {
    static void *(*next)(const char *, int);
    if (!next) next = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
    return next(file, flags & ~RTLD_DEEPBIND);
}
C
${CC:-cc} -shared -fPIC -O2 -o "$WORK/nodeepbind.so" "$WORK/nodeepbind.c" -ldl || exit 1

# The fake SpectroCoin (canned answers) on a free loopback port.
PORT=$($PHP -n -r '$s=stream_socket_server("tcp://127.0.0.1:0");echo substr(strrchr(stream_socket_get_name($s,false),":"),1);')
PHP_CLI_SERVER_WORKERS=2 $PHP -n -S 127.0.0.1:$PORT tests/leak/fake-spectrocoin.php >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
export LEAK_SERVER=http://127.0.0.1:$PORT

echo "==> leak-check 1/2: plain PHP, $N calls per case (round trips: $((N / LEAK_NET_DIVISOR)))"
$PHP -n -d extension="$EXT" tests/leak/driver.php "$N" | tee "$WORK/plain.log"
plain=${PIPESTATUS[0]}

echo "==> leak-check 2/2: LeakSanitizer, $N calls per case"
USE_ZEND_ALLOC=0 ZEND_DONT_UNLOAD_MODULES=1 LEAK_MEMCHECK=0 \
  LD_PRELOAD="$WORK/nodeepbind.so $ASAN_RT" \
  ASAN_OPTIONS="detect_leaks=1:quarantine_size_mb=0:alloc_dealloc_mismatch=0:detect_odr_violation=0:verify_asan_link_order=0:log_path=$WORK/lsan" \
  LSAN_OPTIONS="suppressions=$PWD/tests/leak/lsan.supp:print_suppressions=0" \
  ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer || ls /usr/lib/llvm-*/bin/llvm-symbolizer | tail -1) \
  $PHP -n -d extension="$EXT" tests/leak/driver.php "$N" >"$WORK/driver-under-lsan.txt" 2>&1
lsan=$?
grep -E '^(RSS|leak driver)' "$WORK/driver-under-lsan.txt"
cat "$WORK"/lsan.* 2>/dev/null >"$WORK/report.txt"
# A leak report is a block from "Direct/Indirect leak" to the next blank line.
ours=$(awk 'BEGIN{RS=""} /(Direct|Indirect) leak/ && /(libspectrocoin|spectrocoin::|ext_php_rs)/' "$WORK/report.txt")
total=$(grep -cE '^(Direct|Indirect) leak' "$WORK/report.txt")
other=$(grep -E 'SUMMARY: AddressSanitizer' "$WORK/report.txt" | head -1)
mkdir -p target/leak-check && cp "$WORK/report.txt" target/leak-check/lsan-report.txt && cp "$WORK/plain.log" target/leak-check/plain.log
if [ -n "$ours" ]; then
  echo "$ours" | head -80
  echo "leak-check: FAILED — LeakSanitizer found leaks through the extension (full report: target/leak-check/lsan-report.txt)"
  exit 1
fi
if grep -q 'ERROR: AddressSanitizer' "$WORK/report.txt"; then
  grep -A30 'ERROR: AddressSanitizer' "$WORK/report.txt" | head -40
  echo "leak-check: FAILED — AddressSanitizer error"
  exit 1
fi
echo "LeakSanitizer: ${total} leak report(s) in all, none through the extension${other:+ (PHP itself: $other)}"
if [ "$plain" -ne 0 ] || [ "$lsan" -ne 0 ]; then
  [ "$lsan" -ne 0 ] && tail -20 "$WORK/driver-under-lsan.txt"
  echo "leak-check: FAILED (plain exit $plain, LeakSanitizer run exit $lsan)"
  exit 1
fi
echo "==> leak-check: no leak through the extension; RSS flat"
