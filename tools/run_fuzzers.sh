#!/usr/bin/env bash
# Builds the libFuzzer harnesses in tests/fuzz/ in the sanitized clang build
# (tools/configure_sanitized.sh: libnabla instrumented with AddressSanitizer +
# UndefinedBehaviorSanitizer + coverage, the same build CI runs the unit tests in) and runs each
# for a while.
#
# Usage: tools/run_fuzzers.sh [seconds per fuzzer (default 20)] [fuzzer names... (default all)]
# Environment: CC / CXX (default clang-14 / clang++-14), BUILD_DIR (default build-asan),
#              JOBS (ninja parallelism, default 2).
# Exits non-zero when a fuzzer finds a crash, leak, UB, timeout or broken invariant; the input
# that triggered it is saved under $BUILD_DIR/fuzz-artifacts/.
set -euo pipefail

seconds=${1:-20}
shift || true
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build-asan}
fuzzers=("$@")
if [ ${#fuzzers[@]} -eq 0 ]; then
  for f in "$root"/tests/fuzz/*_fuzz.cpp; do fuzzers+=("$(basename "$f" .cpp)"); done
fi

bash "$root/tools/configure_sanitized.sh" "$build" >/dev/null
ninja -C "$build" -j"${JOBS:-2}" "${fuzzers[@]}"

mkdir -p "$build/fuzz-artifacts"
status=0
for name in "${fuzzers[@]}"; do
  format=${name%_fuzz}
  seeds="$root/tests/fuzz/corpus/$format"
  work="$build/fuzz-corpus/$format"  # grows as the fuzzer finds new inputs; the seeds stay untouched
  mkdir -p "$work"
  dict=()
  [ -f "$root/tests/fuzz/$format.dict" ] && dict=(-dict="$root/tests/fuzz/$format.dict")
  echo "== $name: ${seconds}s"
  if ! "$build/tests/$name" "$work" "$seeds" "${dict[@]}" \
      -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -print_funcs=0 -artifact_prefix="$build/fuzz-artifacts/$name-"; then
    echo "!! $name failed; reproduce with: $build/tests/$name $build/fuzz-artifacts/$name-<file>" >&2
    status=1
  fi
done
exit $status
