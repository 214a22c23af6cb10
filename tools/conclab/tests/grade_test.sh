#!/usr/bin/env bash
# Tests of instructor grading: `conclab grade` against hostile submissions and a generated class, the
# gradebook, the Gradescope autograder zip, and the student release. All on the fixture course (lab
# 99.01, tests/fixture) copied to a scratch folder, with tests/grade_fixtures as the hostile submissions.
#
#   grade_test.sh <conclab binary> <course source root>
#
# Every grading run shares one scratch work folder, so the scratch builds are configured once.
# Each command runs under `timeout`: the point of several fixtures is that the grader never hangs.
set -uo pipefail

CONCLAB=$1
SRC=$2
export CONCLAB  # the release and autograder scripts read lab facts with it
FIXTURE="$SRC/tools/conclab/tests/fixture"
HOSTILE="$SRC/tools/conclab/tests/grade_fixtures"
WORK=$(mktemp -d /tmp/conclab-grade-test.XXXXXX)
chmod 755 "$WORK"  # as root, submissions build and run as unprivileged users, who must reach the scratch copies
listener_pid=""
cleanup() {
  [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
COURSE="$WORK/course"
GW="$WORK/grade-work"
failures=0
checks=0
start=$(date +%s)

fail() { failures=$((failures + 1)); printf 'FAIL: %s\n' "$*"; }
ok() { checks=$((checks + 1)); }
section() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }

# grade <expected exit> <args...>: runs conclab in the course, output in $OUT.
grade() {
  local want=$1
  shift
  OUT=$(cd "$WORK" && NO_COLOR=1 timeout 900 "$CONCLAB" --root "$COURSE" "$@" 2>&1)
  local got=$?
  checks=$((checks + 1))
  if [ "$got" != "$want" ]; then
    fail "conclab $* exited $got, expected $want. Output:"
    printf '%s\n\n' "$OUT"
    return 1
  fi
  return 0
}

expect_output() {
  checks=$((checks + 1))
  grep -qF -- "$1" <<<"$OUT" || fail "$2: expected the output to contain \"$1\". Output:"$'\n'"$OUT"
}

# check_results <out dir> <python expectations>: runs the expectations against every results.json, the
# CSV and the JUnit XML of one grading run. `r(learner)` is a results.json, `verdicts(learner)` maps
# test -> verdict, `csv` maps learner -> row, `junit` is the parsed XML.
check_results() {
  local dir=$1
  local code=$2
  checks=$((checks + 1))
  python3 - "$dir" <<PY || fail "the outputs in $dir are not as expected (see above)"
import csv, json, os, sys, xml.etree.ElementTree as ET
out = sys.argv[1]
def r(learner):
    with open(os.path.join(out, learner, "results.json")) as f:
        return json.load(f)
def verdicts(learner):
    return {t["name"]: t["extra_data"]["verdict"] for t in r(learner)["tests"]}
def score(learner):
    return r(learner)["score"]
with open(os.path.join(out, "grades.csv")) as f:
    csv_rows = {row["learner"]: row for row in csv.DictReader(f)}
junit = ET.parse(os.path.join(out, "junit.xml")).getroot()
problems = []
def want(cond, what):
    if not cond:
        problems.append(what)
# Gradescope's required keys, for every learner.
for learner in csv_rows:
    j = r(learner)
    want(isinstance(j["score"], (int, float)) and isinstance(j["execution_time"], int), f"{learner}: score/execution_time types")
    for t in j["tests"]:
        for key in ("name", "score", "max_score", "status", "output", "visibility"):
            want(key in t, f"{learner}: a test has no {key}")
        want(t["status"] in ("passed", "failed"), f"{learner}: status {t['status']}")
        for key in ("runs", "passed_runs", "verdict", "tsan"):
            want(key in t["extra_data"], f"{learner}: extra_data has no {key}")
    want(int(csv_rows[learner]["total"]) == j["score"], f"{learner}: CSV total {csv_rows[learner]['total']} != results.json {j['score']}")
    suite = [s for s in junit.iter("testsuite") if s.get("name") == learner]
    want(len(suite) == 1 and int(suite[0].get("tests")) == len(j["tests"]), f"{learner}: one JUnit testsuite with every test")
$code
if problems:
    print("\n".join("  - " + p for p in problems))
    sys.exit(1)
PY
}

mkdir -p "$COURSE"
cp -r "$SRC/CMakeLists.txt" "$SRC/CMakePresets.json" "$SRC/conclab" "$SRC/cmake" "$SRC/support" "$COURSE/"
cp -r "$FIXTURE/labs" "$FIXTURE/solutions" "$FIXTURE/modules" "$COURSE/"
# conclab's own sources: the autograder zip carries them, to build conclab on Gradescope.
mkdir -p "$COURSE/tools/conclab"
cp -r "$SRC/tools/conclab/CMakeLists.txt" "$SRC/tools/conclab/src" "$SRC/tools/conclab/tests" "$COURSE/tools/conclab/"
mkdir -p "$COURSE/scripts"
cp "$SRC/scripts/setup.sh" "$COURSE/scripts/"
LAB="$COURSE/labs/99-fixture/01-counter"
# Points per test from lab.toml: the concurrent test is worth 2, the others 1 (5 in all).
printf '\n[points]\n"CounterTest.AddsFromManyThreads" = 2\n' >>"$LAB/lab.toml"

# A listener on the host's loopback: the network fixture tries to reach it from inside the sandbox.
PORT_FILE="$WORK/port"
python3 - "$PORT_FILE" "$WORK/connections" <<'PY' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(1200)
try:
    while True:
        c, _ = s.accept()
        open(sys.argv[2], "a").write("a connection got through\n")
        c.close()
except Exception:
    pass
PY
listener_pid=$!
for _ in $(seq 1 100); do [ -s "$PORT_FILE" ] && break; sleep 0.1; done
PORT=$(cat "$PORT_FILE")

# Submissions: the hostile fixtures, with this run's real paths filled in.
SUBS="$WORK/hostile"
mkdir -p "$SUBS"
for d in "$HOSTILE"/*/; do
  name=$(basename "$d")
  cp -r "$d" "$SUBS/$name"
  find "$SUBS/$name" -type f -exec sed -i -e "s#@COURSE@#$COURSE#g; s#@SUBMISSIONS@#$SUBS#g; s#@WORK@#$GW#g; s#@OUT@#$WORK/out-hostile#g; s#@SRC@#$SRC#g; s#@PORT@#$PORT#g" {} +
done
mkdir -p "$SUBS/pass" "$SUBS/symlink"
cp "$FIXTURE/impls/pass/counter.hpp" "$SUBS/pass/"
ln -s "$COURSE/solutions/99-fixture/01-counter/final/counter.hpp" "$SUBS/symlink/counter.hpp"

sandboxed=1
if ! bwrap --ro-bind / / --unshare-all true 2>/dev/null; then
  sandboxed=0
  echo "note: bubblewrap does not work here; the isolation checks (network, reading and writing outside) are skipped"
fi

section "hostile submissions: each gets its verdict, the grader finishes, every output is written"
t0=$(date +%s)
grade 0 grade --lab 99.01 --submissions "$SUBS" --out "$WORK/out-hostile" --gradebook "$WORK/gradebook.sqlite" --work "$GW" \
  --repeat 2 --no-tsan --memory 512
echo "$OUT" | grep -E '^\[|^Graded|sandbox:' | head -30
elapsed=$(( $(date +%s) - t0 ))
[ "$elapsed" -lt 900 ] || fail "grading the hostile submissions took ${elapsed}s"
check_results "$WORK/out-hostile" "
M = 'CounterTest.AddsFromManyThreads'
expected = {
    'deadlock': (3, 'timeout'), 'infinite-loop': (3, 'timeout'), 'segfault': (3, 'crash'),
    'thread-bomb': (3, 'resource limit'), 'memory-bomb': (3, 'resource limit'), 'output-flood': (3, 'resource limit'),
    'pass': (5, 'passed'),
}
for learner, (pts, verdict) in expected.items():
    want(score(learner) == pts, f'{learner}: score {score(learner)}, expected {pts}')
    want(verdicts(learner)[M] == verdict, f'{learner}: {M} is {verdicts(learner)[M]}, expected {verdict}')
    others = [v for n, v in verdicts(learner).items() if n != M]
    want(all(v == 'passed' for v in others), f'{learner}: the other tests should pass: {others}')
want('waiting' in r('deadlock')['tests'][2]['output'], 'deadlock: the message says the threads were waiting')
want('kept using CPU' in r('infinite-loop')['tests'][2]['output'], 'infinite-loop: the message says it kept running')
want('SIGSEGV' in r('segfault')['tests'][2]['output'], 'segfault: the signal is named')
want('memory' in r('memory-bomb')['tests'][2]['output'], 'memory-bomb: the message names memory')
want('output' in r('output-flood')['tests'][2]['output'], 'output-flood: the message names the output')
for learner in ('forge-report', 'include-solutions'):
    want(score(learner) == 0, f'{learner}: score {score(learner)}, expected 0')
want(all(v == 'failed' for v in verdicts('forge-report').values()), f'forge-report: {verdicts(\"forge-report\")}')
want('never confirmed' in r('forge-report')['tests'][0]['output'], 'forge-report: the message says the report is not trusted')
want(all(v == 'does not compile' for v in verdicts('include-solutions').values()), 'include-solutions: does not compile')
want(score('course-copy') == 1 and verdicts('course-copy')['CounterTest.StartsAtZero'] == 'passed', 'course-copy: only counter.hpp graded (1 point)')
want(score('symlink') == 1 and any('symbolic link' in n for n in [r('symlink')['output']]), 'symlink: the link is ignored, the starter graded')
if $sandboxed:
    for learner in ('network', 'read-outside', 'write-outside'):
        want(score(learner) == 0 and all(v == 'failed' for v in verdicts(learner).values()),
             f'{learner}: every test must fail (the code only counts right if it got out): {verdicts(learner)}')
types = {e.get('type') for e in junit.iter('error')}
want({'timeout', 'crash', 'resource limit', 'does not compile'} <= types, f'JUnit error types: {types}')
want({f.get('type') for f in junit.iter('failure')} == {'failed'}, 'JUnit failures are assertion failures only')
"
if [ "$sandboxed" = 1 ]; then
  checks=$((checks + 1))
  leaked=$(find "$WORK" "$SRC" -maxdepth 3 -name PWNED 2>/dev/null; ls /PWNED 2>/dev/null)
  [ -z "$leaked" ] || fail "write-outside left files outside its box: $leaked"
  checks=$((checks + 1))
  [ ! -s "$WORK/connections" ] || fail "the network fixture reached the host: $(cat "$WORK/connections")"
fi

section "a generated class grades to the expected scores (3 runs per test + ThreadSanitizer)"
CLASS="$WORK/class"
mkdir -p "$CLASS"/{alice,bob,carol,dave,erin,frank,grace,heidi,ivan,judy/conclab-main/labs/99-fixture/01-counter}
cp "$FIXTURE/impls/pass/counter.hpp" "$CLASS/alice/"
{ echo "// bob's version"; cat "$FIXTURE/impls/pass/counter.hpp"; } >"$CLASS/bob/counter.hpp"
cp "$FIXTURE/impls/fail/counter.hpp" "$CLASS/carol/"
cp "$FIXTURE/impls/race/counter.hpp" "$CLASS/dave/"
cp "$FIXTURE/impls/nocompile/counter.hpp" "$CLASS/erin/"
# frank submitted nothing: graded with the starter.
cp "$FIXTURE/impls/hang/counter.hpp" "$CLASS/grace/"
cp "$FIXTURE/impls/crash/counter.hpp" "$CLASS/heidi/"
cp -r "$HOSTILE/course-copy/." "$CLASS/ivan/"
cp "$FIXTURE/impls/pass/counter.hpp" "$CLASS/judy/conclab-main/labs/99-fixture/01-counter/"
grade 0 grade --lab 99.01 --submissions "$CLASS" --out "$WORK/out-class" --gradebook "$WORK/gradebook.sqlite" --work "$GW"
echo "$OUT" | grep -E '^\[|^Graded' | head -20
check_results "$WORK/out-class" "
M = 'CounterTest.AddsFromManyThreads'
expected = {'alice': 5, 'bob': 5, 'carol': 1, 'dave': 3, 'erin': 0, 'frank': 1, 'grace': 3, 'heidi': 3, 'ivan': 1, 'judy': 5}
for learner, pts in expected.items():
    want(score(learner) == pts, f'{learner}: score {score(learner)}, expected {pts}')
    want(int(csv_rows[learner][M]) == (2 if pts == 5 else 0), f'{learner}: CSV column {M}')
# dave's race: ThreadSanitizer catches it whatever the normal runs saw.
dm = [t for t in r('dave')['tests'] if t['name'] == M][0]
want(dm['extra_data']['tsan'] == 'data race' or dm['extra_data']['verdict'] == 'failed', f'dave: {dm[\"extra_data\"]}')
want(dm['extra_data']['runs'] == 3, 'dave: 3 runs of the racy test')
want(verdicts('grace')[M] == 'timeout' and verdicts('heidi')[M] == 'crash', 'grace hangs, heidi crashes')
want(r('erin')['extra_data']['verdict'] == 'does not compile' and 'error' in r('erin')['output'], 'erin: the compiler error is in the output')
want('not in the submission' in r('frank')['output'], 'frank: the note says the starter was graded')
want('taken from' in r('judy')['output'], 'judy: the file was found inside her nested folder')
ps = [t for t in r('alice')['tests']]
want(all(t['extra_data']['runs'] == 3 and t['extra_data']['tsan'] == 'clean' for t in ps), 'alice: 3 runs and a clean TSan run per test')
want(any(e.get('type') == 'data race' for e in junit.iter('error')) or verdicts('dave')[M] == 'failed', 'JUnit has the race as an error')
"

section "the gradebook accumulates runs; export"
grade 0 gradebook export --db "$WORK/gradebook.sqlite" --lab 99.01
expect_output "learner,CounterTest.StartsAtZero" "export --lab has one column per test"
expect_output "alice,1,1,2,1,5,5,passed" "alice's latest row"
grade 0 gradebook export --db "$WORK/gradebook.sqlite" --lab 99.1
expect_output "alice,1,1,2,1,5,5,passed" "export --lab takes a short id (99.1), as every command does"
grade 0 gradebook export --db "$WORK/gradebook.sqlite"
expect_output "learner,99.01,total,max" "export has one column per lab"
grade 0 gradebook export --db "$WORK/gradebook.sqlite" --history --format json
checks=$((checks + 1))
python3 -c 'import json,sys; rows=json.load(sys.stdin); assert len({r["grading"] for r in rows}) == 2, rows; assert len(rows) == 24, len(rows)' <<<"$OUT" \
  || fail "export --history should list both gradings (14 + 10 rows): $OUT"
grade 2 gradebook export --db "$WORK/none.sqlite"
expect_output "no gradebook" "a missing gradebook is one clear sentence"

section "without bubblewrap: limits only, said so, and the verdicts still hold"
NOBOX="$WORK/nobox"
mkdir -p "$NOBOX"
for s in pass include-solutions forge-report segfault; do cp -r "$SUBS/$s" "$NOBOX/"; done
grade 0 grade --lab 99.01 --submissions "$NOBOX" --out "$WORK/out-nobox" --no-gradebook --work "$GW" --sandbox none --repeat 1 --no-tsan
expect_output "NO sandbox" "the console says there is no sandbox"
check_results "$WORK/out-nobox" "
want(score('pass') == 5, 'pass: 5')
want(all(v == 'does not compile' for v in verdicts('include-solutions').values()), 'include-solutions is refused without a sandbox too')
want('outside the lab' in r('include-solutions')['tests'][0]['output'], 'include-solutions: the refusal says why')
want(score('forge-report') == 0, 'forge-report: 0 without a sandbox too')
want(verdicts('segfault')['CounterTest.AddsFromManyThreads'] == 'crash', 'segfault: crash')
want('NO sandbox' in r('pass')['extra_data']['sandbox'], 'results.json records the missing sandbox')
"

section "Gradescope: the autograder zip's run_autograder writes a valid results.json"
bash "$SRC/scripts/make-autograder.sh" 99.01 --root "$COURSE" --out "$WORK/autograder.zip" >"$WORK/zip.log" 2>&1 \
  || fail "make-autograder.sh failed: $(cat "$WORK/zip.log")"
AG="$WORK/ag"
mkdir -p "$AG/source" "$AG/submission"
(cd "$AG/source" && unzip -q "$WORK/autograder.zip") || fail "the zip does not unzip"
checks=$((checks + 1))
[ -x "$AG/source/setup.sh" ] && [ -x "$AG/source/run_autograder" ] || fail "setup.sh and run_autograder must be at the zip's root, executable"
checks=$((checks + 1))
[ ! -e "$AG/source/solutions" ] && [ -f "$AG/source/labs/99-fixture/01-counter/counter_test.cpp" ] && [ -f "$AG/source/tools/conclab/CMakeLists.txt" ] \
  || fail "the zip must hold the lab and conclab's sources, and no solutions/"
cp "$FIXTURE/impls/race/counter.hpp" "$AG/submission/"
# setup.sh (apt-get, building conclab) is what Gradescope runs; here the conclab under test stands in for it.
AUTOGRADER_ROOT="$AG" CONCLAB="$CONCLAB" CONCLAB_GRADE_ARGS="--work $GW" timeout 600 "$AG/source/run_autograder" >"$WORK/ag.log" 2>&1
checks=$((checks + 1))
python3 - "$AG/results/results.json" <<'PY' || fail "results.json from run_autograder: $(cat "$WORK/ag.log")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["score"] == 3, j["score"]
assert len(j["tests"]) == 4 and all({"name", "score", "max_score", "status", "output"} <= set(t) for t in j["tests"])
assert sum(t["max_score"] for t in j["tests"]) == 5
assert [t["status"] for t in j["tests"] if t["name"] == "CounterTest.AddsFromManyThreads"] == ["failed"]
PY
# A grader that cannot grade still leaves a results.json that says so.
rm -rf "$AG/submission" "$AG/results"
AUTOGRADER_ROOT="$AG" CONCLAB="$CONCLAB" CONCLAB_GRADE_ARGS="--work $GW" timeout 600 "$AG/source/run_autograder" >"$WORK/ag2.log" 2>&1
checks=$((checks + 1))
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["score"] == 0 and "could not grade" in j["output"], j' "$AG/results/results.json" \
  || fail "without a submission, run_autograder must still write results.json: $(cat "$WORK/ag2.log")"

section "the student release: no solutions, builds, and conclab check works in it"
# The class's results sit in the course folder (grade's default --out): they must not reach learners.
mkdir -p "$COURSE/grades/99.01/alice" && echo '{"score": 0}' >"$COURSE/grades/99.01/alice/results.json"
bash "$SRC/scripts/make-student-release.sh" --root "$COURSE" --out "$WORK/release" >"$WORK/release.log" 2>&1 \
  || fail "make-student-release.sh failed: $(cat "$WORK/release.log")"
checks=$((checks + 1))
[ ! -e "$WORK/release/solutions" ] || fail "the release has solutions/"
checks=$((checks + 1))
[ ! -e "$WORK/release/grades" ] || fail "the release has the class's grades/"
# From a git checkout the release takes the files git knows (not the ignored ones): same rules.
cp "$SRC/.gitignore" "$COURSE/"
git -C "$COURSE" init -q && git -C "$COURSE" add -A &&
  git -C "$COURSE" -c user.name=t -c user.email=t@t.invalid commit -qm course || fail "could not make the course a git repository"
echo "// new, not yet committed" >"$COURSE/labs/99-fixture/01-counter/notes.txt"
bash "$SRC/scripts/make-student-release.sh" --root "$COURSE" --out "$WORK/release-git" --no-git >"$WORK/release-git.log" 2>&1 \
  || fail "make-student-release.sh from a git checkout failed: $(cat "$WORK/release-git.log")"
checks=$((checks + 1))
[ ! -e "$WORK/release-git/solutions" ] && [ ! -e "$WORK/release-git/grades" ] && [ ! -e "$WORK/release-git/.git" ] &&
  [ -f "$WORK/release-git/labs/99-fixture/01-counter/counter_test.cpp" ] && [ -f "$WORK/release-git/labs/99-fixture/01-counter/notes.txt" ] \
  || fail "a release from a git checkout: no solutions/, grades/ or .git; the lab and new files present: $(ls -A "$WORK/release-git")"
checks=$((checks + 1))
! grep -q '^\[variants' "$WORK/release/labs/99-fixture/01-counter/lab.toml" && grep -q '^\[points\]' "$WORK/release/labs/99-fixture/01-counter/lab.toml" \
  || fail "the release's lab.toml must lose [variants.*] and keep the rest: $(cat "$WORK/release/labs/99-fixture/01-counter/lab.toml")"
OUT=$(cd "$WORK/release" && NO_COLOR=1 timeout 900 "$CONCLAB" check 99.01 --no-tsan 2>&1); code=$?
checks=$((checks + 1))
[ "$code" = 1 ] && grep -q "Verdict: failed" <<<"$OUT" || fail "conclab check on the release's starter: exit $code: $OUT"
cp "$FIXTURE/impls/pass/counter.hpp" "$WORK/release/labs/99-fixture/01-counter/counter.hpp"
OUT=$(cd "$WORK/release" && NO_COLOR=1 timeout 900 "$CONCLAB" check 99.01 --no-tsan 2>&1); code=$?
checks=$((checks + 1))
[ "$code" = 0 ] && grep -q "Verdict: passed" <<<"$OUT" || fail "conclab check of a solved lab in the release: exit $code: $OUT"
checks=$((checks + 1))
! grep -q "conclab solution" <<<"$OUT" || fail "a passed check in the release must not point at solutions it does not have: $OUT"
OUT=$(cd "$WORK/release" && NO_COLOR=1 timeout 60 "$CONCLAB" solution 99.01 2>&1); code=$?
checks=$((checks + 1))
[ "$code" = 2 ] && grep -q "student release" <<<"$OUT" || fail "conclab solution in the release: one sentence, exit 2; got exit $code: $OUT"
OUT=$(cd "$WORK/release" && NO_COLOR=1 timeout 60 "$CONCLAB" reset 99.01 2>&1); code=$?
checks=$((checks + 1))
[ "$code" = 0 ] && cmp -s "$WORK/release/labs/99-fixture/01-counter/counter.hpp" "$COURSE/labs/99-fixture/01-counter/counter.hpp" \
  || fail "conclab reset in the release (a git repository of its own) must put the starter back: exit $code: $OUT"

echo
echo "conclab grade tests: $((checks - failures)) passed, $failures failed ($(( $(date +%s) - start ))s)"
[ "$failures" -eq 0 ]
