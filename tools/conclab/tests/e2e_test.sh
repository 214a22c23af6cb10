#!/usr/bin/env bash
# End-to-end tests of conclab: the real binary against a one-lab fixture course in a scratch folder.
#
#   e2e_test.sh <conclab binary> <course source root>
#
# The fixture course is this repository's build files (CMakeLists.txt, presets, cmake/, support/) plus
# tests/fixture/ (one lab, 99.01, and one implementation per verdict in tests/fixture/impls/).
# Every verdict is produced from a real implementation: pass, fail, data race, hang, crash, no compile.
set -uo pipefail

CONCLAB=$1
SRC=$2
FIXTURE="$SRC/tools/conclab/tests/fixture"
WORK=$(mktemp -d /tmp/conclab-e2e.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
COURSE="$WORK/course"
LAB="$COURSE/labs/99-fixture/01-counter"
failures=0
checks=0

mkdir -p "$COURSE"
cp -r "$SRC/CMakeLists.txt" "$SRC/CMakePresets.json" "$SRC/cmake" "$SRC/support" "$COURSE/"
cp -r "$FIXTURE/labs" "$FIXTURE/solutions" "$FIXTURE/modules" "$COURSE/"
(cd "$COURSE" && git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm fixture)

# run <expected exit> <command args...>: runs conclab in the fixture course, output in $OUT.
run() {
  local want=$1
  shift
  OUT=$(cd "$COURSE" && NO_COLOR=1 timeout 600 "$CONCLAB" "$@" 2>&1)
  local got=$?
  checks=$((checks + 1))
  if [ "$got" != "$want" ]; then
    failures=$((failures + 1))
    printf 'FAIL: conclab %s exited %s, expected %s. Output:\n%s\n\n' "$*" "$got" "$want" "$OUT"
    return 1
  fi
  return 0
}

# expect <text> <what>: the last output contains text.
expect() {
  checks=$((checks + 1))
  if ! grep -qF -- "$1" <<<"$OUT"; then
    failures=$((failures + 1))
    printf 'FAIL: %s: expected the output to contain "%s". Output:\n%s\n\n' "$2" "$1" "$OUT"
  fi
}

use_impl() { cp "$FIXTURE/impls/$1/counter.hpp" "$LAB/counter.hpp"; }

echo "== list, next, bare status on a fresh course"
run 0 list && expect "99.01" "list shows the lab" && expect "<- you are here" "list marks the current lab"
run 0 next && expect "Fixture counter" "next names the lab"
run 0 && expect "./conclab check 99.01" "bare conclab says how to check"
run 0 list --json && python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["total"]==1 and d["labs"][0]["status"]=="not started"' <<<"$OUT" \
  || { failures=$((failures + 1)); echo "FAIL: list --json is not the expected JSON: $OUT"; }

echo "== unknown lab id: one clear sentence, exit 2"
run 2 check 42.42 && expect "There is no lab '42.42'" "unknown lab message"
[ "$(wc -l <<<"$OUT")" -le 2 ] || { failures=$((failures + 1)); echo "FAIL: the unknown-lab message should be one sentence, got: $OUT"; }
run 2 solution nope --force && expect "There is no lab" "unknown lab for solution"

echo "== the starter fails its tests (exit 1) with the tests' messages"
run 1 check 99.01 && expect "Verdict: failed" "starter verdict" && expect "add(2) then add(3) must give 5" "teaching message shown"

echo "== hints, one per call"
run 0 hint 99.01 && expect "Hint 1 of 3" "first hint"
run 0 hint && expect "Hint 2 of 3" "second hint (current lab by default)"
run 0 hint 99.01 --all && expect "First hint" "--all shows revealed hints"

echo "== solution is closed until the lab passes"
run 2 solution 99.01 && expect "has not passed yet" "solution gated"

echo "== verdict: does not compile"
use_impl nocompile
run 3 check 99.01 && expect "Verdict: does not compile" "compile verdict" && expect "counter.hpp" "first error names the file"

echo "== verdict: failed"
use_impl fail
run 1 check 99.01 --no-tsan && expect "Verdict: failed" "fail verdict" && expect "must give 5" "assertion message"

echo "== verdict: data race (ThreadSanitizer), attributed to the racing test"
use_impl race
run 1 check 99.01 && expect "Verdict: data race" "race verdict" && expect "CounterTest.AddsFromManyThreads" "racing test named" \
  && expect "counter.hpp:" "race report points into the learner's file"

echo "== verdict: hang, naming the test that hung, within the timeout"
use_impl hang
start=$(date +%s)
run 1 check 99.01 --verbose && expect "Verdict: deadlock or hang" "hang verdict" && expect "CounterTest.AddsFromManyThreads  hang" "hung test named"
expect "ok CounterTest.AddsAfterConcurrentAdds" "tests after the hung one still ran, alone"
expect "waiting on a condition variable" "the stacks say where the thread waited"
elapsed=$(( $(date +%s) - start ))
# Build + one timeout (6 s) + stacks + the rest run alone: generous bound, far below "forever".
[ "$elapsed" -lt 240 ] || { failures=$((failures + 1)); echo "FAIL: the hang verdict took ${elapsed}s"; }

echo "== verdict: crash, attributed by re-running tests one by one"
use_impl crash
run 1 check 99.01 --no-tsan && expect "Verdict: crash" "crash verdict" && expect "CounterTest.AddsFromManyThreads  crash" "crashing test named" \
  && expect "SIGABRT" "the signal is named"
run 1 check 99.01 --no-tsan --json && python3 -c '
import json,sys
d=json.load(sys.stdin)
tests={t["name"]:t["outcome"] for t in d["builds"][0]["tests"]}
assert d["verdict"]=="crash", d["verdict"]
assert tests["CounterTest.AddsFromManyThreads"]=="crash", tests
assert tests["CounterTest.AddsAfterConcurrentAdds"]=="passed", tests  # ran alone after the crash
' <<<"$OUT" || { failures=$((failures + 1)); echo "FAIL: check --json after a crash: $OUT"; }

echo "== verdict: passed, progress recorded"
use_impl pass
run 0 check 99.01 && expect "Verdict: passed" "pass verdict" && expect "Lab 99.01 is done" "done message"
run 0 list && expect "[x] 99.01" "list shows the lab done"
run 0 progress --json && python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["done"]==1' <<<"$OUT" \
  || { failures=$((failures + 1)); echo "FAIL: progress --json: $OUT"; }

echo "== solution after passing: the reference and a diff against yours"
run 0 solution 99.01 && expect "solutions/99-fixture/01-counter/final/counter.hpp" "final shown" && expect "what differs from yours" "diff shown"
run 0 solution 99.01 --variant naive && expect "no lock" "naive shown"
run 2 solution 99.01 --variant best && expect "not a reference version" "bad variant"

echo "== reset: back to the starter, with a backup"
run 0 reset 99.01 && expect "back to its starter" "reset message"
grep -q 'TODO(lab)' "$LAB/counter.hpp" || { failures=$((failures + 1)); echo "FAIL: reset did not restore the starter"; }
ls "$COURSE"/.conclab/backups/99.01-*/counter.hpp >/dev/null 2>&1 || { failures=$((failures + 1)); echo "FAIL: reset kept no backup"; }

echo "== the contract checks (maint verify) on the fixture"
(cd "$COURSE" && cmake --build build/default --target lab_99_01_learner lab_99_01_naive lab_99_01_improved lab_99_01_final >"$WORK/build.log" 2>&1 \
  && cmake --build build/tsan --target lab_99_01_naive lab_99_01_final >>"$WORK/build.log" 2>&1) || { failures=$((failures + 1)); echo "FAIL: building the fixture variants:"; tail -20 "$WORK/build.log"; }
run 0 maint verify 99.01 --variant final --build-dir build/default && expect "all 4 graded tests pass" "final passes"
run 0 maint verify 99.01 --variant naive --build-dir build/tsan && expect "fails exactly CounterTest.AddsFromManyThreads" "naive fails as named"
run 77 maint verify 99.01 --variant naive --build-dir build/default && expect "nothing to check here" "naive has no default-build claim"
run 0 maint verify 99.01 --variant starter --build-dir build/default && expect "fails" "starter is unsolved"
run 0 maint lint && expect "no problems" "fixture lab lints clean"

echo "== watch: re-checks on save, without a TTY"
(cd "$COURSE" && NO_COLOR=1 timeout 600 "$CONCLAB" watch 99.01 --no-tsan --interval 100 --debounce 100 --max-checks 2 >"$WORK/watch.log" 2>&1) &
watch_pid=$!
for _ in $(seq 1 600); do grep -q "Waiting for changes" "$WORK/watch.log" && break; sleep 0.5; done
use_impl pass
wait "$watch_pid"
OUT=$(cat "$WORK/watch.log")
expect "check 1 at" "watch ran a first check" && expect "check 2 at" "watch re-checked after the save" && expect "Verdict: passed" "watch verdict"

echo "== watch: Ctrl-C quits cleanly"
(cd "$COURSE" && NO_COLOR=1 exec "$CONCLAB" watch 99.01 --no-tsan --interval 100 >"$WORK/watch2.log" 2>&1) &
watch_pid=$!
for _ in $(seq 1 600); do grep -q "Waiting for changes" "$WORK/watch2.log" && break; sleep 0.5; done
kill -INT "$watch_pid"
wait "$watch_pid"
code=$?
OUT=$(cat "$WORK/watch2.log")
checks=$((checks + 1))
[ "$code" = 0 ] || { failures=$((failures + 1)); echo "FAIL: watch exited $code on SIGINT"; }
expect "Stopped watching" "watch says it stopped"

echo "== a damaged progress file is set aside, not fatal"
printf '{"labs": {"99.01": ' >"$COURSE/.conclab/state.json"
run 0 list && expect "was damaged" "damaged-state warning"
ls "$COURSE"/.conclab/state.json.damaged-* >/dev/null 2>&1 || { failures=$((failures + 1)); echo "FAIL: the damaged file was not kept aside"; }
run 0 list && [ -z "$(grep -F 'damaged' <<<"$OUT")" ] || { failures=$((failures + 1)); echo "FAIL: the warning repeats after a fresh state was written"; }

echo "== bad usage"
run 2 check 99.01 --against best && expect "no reference version 'best'" "bad --against"
run 2 frobnicate && expect "conclab --help" "unknown command points to help"
OUT=$(cd /tmp && NO_COLOR=1 "$CONCLAB" list 2>&1); code=$?
checks=$((checks + 1))
[ "$code" = 2 ] && grep -q "No conclab course here" <<<"$OUT" || { failures=$((failures + 1)); echo "FAIL: outside a course: exit $code: $OUT"; }

echo
echo "conclab e2e: $((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
