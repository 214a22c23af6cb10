#!/usr/bin/env bash
# Runs a lab's reference versions many times with the other core busy, in both builds, to show that
# the tests are deterministic: improved and final pass every run, naive fails its named tests every run.
#
#   scripts/stress-lab.sh [--repeat N] ID [ID ...]     (default N = 50; ID "all" = every lab)
#
# Uses the binaries scripts/test.sh builds (build/default and build/tsan); stress-ng --cpu 2 runs beside.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
repeat=50
if [ "${1:-}" = "--repeat" ]; then repeat=$2; shift 2; fi
[ $# -gt 0 ] || { echo "usage: scripts/stress-lab.sh [--repeat N] ID [ID ...] | all" >&2; exit 2; }
cli=build/default/bin/conclab
[ -x "$cli" ] || { echo "Build first: scripts/test.sh (or ./conclab)." >&2; exit 2; }

ids=("$@")
if [ "${ids[0]}" = "all" ]; then
  mapfile -t ids < <("$cli" list --json | python3 -c 'import json,sys; [print(l["id"]) for l in json.load(sys.stdin)["labs"]]')
fi

stress_pid=""
if command -v stress-ng >/dev/null 2>&1; then
  stress-ng --cpu 2 --timeout 3h --quiet &
  stress_pid=$!
  trap '[ -n "$stress_pid" ] && kill "$stress_pid" 2>/dev/null' EXIT
else
  echo "warning: stress-ng is not installed (scripts/setup.sh installs it); running without load" >&2
fi

bad=0
for id in "${ids[@]}"; do
  tid=${id//./_}
  for tree in default tsan; do
    for v in improved final; do
      bin=build/$tree/bin/lab_${tid}_$v
      [ -x "$bin" ] || { echo "$id $v ($tree): not built"; bad=1; continue; }
      out=$(TSAN_OPTIONS="halt_on_error=1 exitcode=66" timeout 1800 "$bin" --gtest_repeat="$repeat" --gtest_brief=1 2>&1)
      code=$?
      if [ $code = 0 ]; then
        echo "$id $v ($tree): $repeat/$repeat runs passed"
      else
        echo "$id $v ($tree): FAILED (exit $code) within $repeat runs:"
        grep -E "FAILED|ThreadSanitizer|Failure" <<<"$out" | head -5
        bad=1
      fi
    done
    # naive: every named test must fail on every run, each in its own process.
    key=fails; [ $tree = tsan ] && key=fails_tsan
    mapfile -t named < <(python3 - "$id" "$key" <<'PY'
import sys, tomllib, glob
want, key = sys.argv[1], sys.argv[2]
for p in glob.glob("labs/*/*/lab.toml") + glob.glob("projects/*/lab.toml"):
    with open(p, "rb") as f:
        t = tomllib.load(f)
    if t.get("id") == want:
        for n in t.get("variants", {}).get("naive", {}).get(key, []):
            print(n)
PY
)
    naive_runs=$(( repeat < 20 ? repeat : 20 ))
    for test in "${named[@]}"; do
      [ -n "$test" ] || continue
      fails=0
      for _ in $(seq 1 "$naive_runs"); do
        TSAN_OPTIONS="exitcode=66" timeout 120 "build/$tree/bin/lab_${tid}_naive" --gtest_filter="$test" >/dev/null 2>&1 || fails=$((fails + 1))
      done
      if [ $fails = "$naive_runs" ]; then
        echo "$id naive ($tree): $test failed $fails/$naive_runs runs, as it must"
      else
        echo "$id naive ($tree): $test failed only $fails/$naive_runs runs: NOT DETERMINISTIC"
        bad=1
      fi
    done
  done
done
exit $bad
