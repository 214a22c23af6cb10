#!/usr/bin/env bash
# Runs a lab's reference versions many times with the other core busy, in both builds, to show that
# the tests are deterministic: improved and final pass every run, naive and every wrong variant fail their
# named tests every run. Lab facts (targets, claims) come from `conclab maint labs --json`.
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
cli=build/cli/bin/conclab
[ -x "$cli" ] || { echo "Build first: scripts/test.sh (or ./conclab)." >&2; exit 2; }
facts=$(mktemp /tmp/conclab-facts.XXXXXX.json)  # a file: the facts outgrow one command-line argument (128 KiB)
trap 'rm -f "$facts"' EXIT
"$cli" maint labs --json > "$facts" || exit 2  # every lab's targets and claims, from the one reader of lab.toml
fact() {  # fact <python expression over `lab`> <id>: prints its lines
  python3 -c "import json,sys
for lab in json.load(open(sys.argv[2]))['labs']:
    if lab['id'] == sys.argv[3]:
        v = $1
        print('\n'.join(v) if isinstance(v, list) else v)" "$1" "$facts" "$2"
}

ids=("$@")
if [ "${ids[0]}" = "all" ]; then
  mapfile -t ids < <(python3 -c 'import json,sys; [print(l["id"]) for l in json.load(open(sys.argv[1]))["labs"]]' "$facts")
fi

stress_pid=""
if command -v stress-ng >/dev/null 2>&1; then
  stress-ng --cpu 2 --timeout 3h --quiet &
  stress_pid=$!
  trap '[ -n "$stress_pid" ] && kill "$stress_pid" 2>/dev/null; rm -f "$facts"' EXIT
else
  echo "warning: stress-ng is not installed (scripts/setup.sh installs it); running without load" >&2
fi

bad=0
for id in "${ids[@]}"; do
  for tree in default tsan; do
    [ $tree = tsan ] && [ -z "$(fact "'thread' in lab['sanitizers'] and 'yes' or ''" "$id")" ] && continue
    for v in improved final; do
      bin=build/$tree/bin/$(fact "lab['targets']['$v']" "$id")
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
    # naive and every wrong variant: each named test must fail on every run, each in its own process.
    key=fails; [ $tree = tsan ] && key=fails_tsan
    must_fail_runs=$(( repeat < 20 ? repeat : 20 ))
    mapfile -t variants < <(fact "[v for v in lab['variants'] if v == 'naive' or v.startswith('wrong/')]" "$id")
    for v in "${variants[@]}"; do
      [ -n "$v" ] || continue
      target=$(fact "lab['targets'].get('$v', '')" "$id")
      mapfile -t named < <(fact "lab['variants']['$v'].get('$key', [])" "$id")
      for test in "${named[@]}"; do
        [ -n "$test" ] || continue
        fails=0
        for _ in $(seq 1 "$must_fail_runs"); do
          TSAN_OPTIONS="exitcode=66" timeout 120 "build/$tree/bin/$target" --gtest_filter="$test" >/dev/null 2>&1 || fails=$((fails + 1))
        done
        if [ $fails = "$must_fail_runs" ]; then
          echo "$id $v ($tree): $test failed $fails/$must_fail_runs runs, as it must"
        else
          echo "$id $v ($tree): $test failed only $fails/$must_fail_runs runs: NOT DETERMINISTIC"
          bad=1
        fi
      done
    done
  done
done
exit $bad
