#!/usr/bin/env bash
# The whole test suite of the course, as CI runs it. Bootstraps itself: installs what is missing
# (scripts/setup.sh, which also builds the conclab CLI into build/cli) and builds everything it tests.
#
#   scripts/test.sh              everything (docs/authoring.md: what runs, and the time budget)
#   scripts/test.sh --lab ID     the author's fast path: lint, then one lab's variants in every tree that
#                                checks them, and its contract tests (ID as everywhere: 01.03, 1.3, blocking-queue)
#
#   1. lint: every lab.toml and lab folder has what the build and the CLI rely on; PROGRESS.md matches
#      the labs on disk; markdown links resolve; lesson ```cpp blocks compile
#   2. the CLI's own tests (build/cli): unit tests, and the end-to-end tests (pytest, in parallel)
#   3. default build: every variant of every lab and the starters; CTest: the lab contract for each
#      (final/improved pass, naive and every wrong variant fail exactly what lab.toml names, the starter
#      is unsolved), support/
#      (the graded builds are clang's, with -Wthread-safety: support/'s annotations must reject unlocked access)
#   4. ThreadSanitizer build of what a lab's TSan claims need; CTest: final/improved clean, the races named
#   5. sim build of the labs with sim tests (conclab/sim, the explorer); CTest: final/improved pass every
#      schedule, naive and wrong variants fail exactly `fails_sim`
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
lab=""
while [ $# -gt 0 ]; do
  case $1 in
    --lab) lab=${2:?--lab needs a lab id}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed 's/^# \{0,1\}//; /^set -euo/d'; exit 0 ;;
    *) echo "scripts/test.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done
jobs=$(nproc 2>/dev/null || echo 2)
start=$(date +%s)
timings=()  # "seconds step" for the summary at the end
last_step="" last_start=$start
step() {
  local now
  now=$(date +%s)
  [ -n "$last_step" ] && timings+=("$((now - last_start)) $last_step")
  last_step=$1 last_start=$now
  printf '\n== %s (%ss)\n' "$1" "$((now - start))"
}
failed=()
# run_ctest <build dir> <name> [ctest args...]: CTest with its output kept, then its five slowest tests.
run_ctest() {
  local dir=$1 name=$2
  shift 2
  local log="$dir/ctest-summary.log"
  if ctest --test-dir "$dir" -j "$jobs" --output-on-failure "$@" | tee "$log"; then :; else failed+=("$name"); fi
  echo "Slowest in $name:"
  grep -E "Test +#[0-9]+:" "$log" | sed -E 's/.*Test +#[0-9]+: ([^ ]+) .* ([0-9.]+) sec$/\2 s  \1/' | sort -rn | head -5 | sed 's/^/  /' || true
}

step "setup"
scripts/setup.sh
cli="$root/build/cli/bin/conclab"

# A compile cache when there is one, shared by every clone on this machine wherever it lives (scripts/ccache-compile
# says how): a second clone, or a second run, compiles only what changed.
cache_args=()
if command -v ccache >/dev/null 2>&1; then
  cache_args=("-DCMAKE_CXX_COMPILER_LAUNCHER=$root/scripts/ccache-compile;$root")
fi
configure() {  # configure <preset>
  cmake --preset "$1" -DCONCLAB_CLI="$cli" "${cache_args[@]}" >/dev/null
}

step "lint labs, PROGRESS.md, markdown links, lesson code blocks and the scripts' syntax"
"$cli" maint lint || failed+=("lint")
"$cli" maint progress-md --check || failed+=("PROGRESS.md")
if [ -z "$lab" ]; then
  python3 scripts/check_docs.py || failed+=("docs")
  for script in scripts/*.sh scripts/ccache-compile conclab; do  # some are run by no test (verdict-timing.sh)
    if ! bash -n "$script"; then failed+=("syntax of $script"); fi
  done
fi

if [ -n "$lab" ]; then
  # The fast path: one lab, both trees.
  targets_of() { "$cli" maint labs --json | python3 -c '
import json, sys
want = sys.argv[1]
for lab in json.load(sys.stdin)["labs"]:
    if want in (lab["id"], lab["slug"]) or lab["id"].lstrip("0").replace(".0", ".") == want.lstrip("0").replace(".0", "."):
        print(lab["id"]); print(" ".join(lab["targets"].values())); print(" ".join(lab["tsan_checked_targets"]))
        print(" ".join(lab["sim_checked_targets"]))
        sys.exit(0)
sys.exit("scripts/test.sh: there is no lab " + repr(want) + "; ./conclab list shows them")' "$lab"; }
  mapfile -t info < <(targets_of)
  [ ${#info[@]} -eq 4 ] || exit 2
  id=${info[0]}
  step "lab $id: default build and its contract"
  configure default
  # shellcheck disable=SC2086
  cmake --build build/default -j "$jobs" --target ${info[1]}
  run_ctest build/default "contract $id (default)" -R "^contract/$id/"
  if [ -n "${info[2]}" ]; then
    step "lab $id: ThreadSanitizer build and its contract"
    configure tsan
    # shellcheck disable=SC2086
    cmake --build build/tsan -j "$jobs" --target ${info[2]}
    run_ctest build/tsan "contract $id (tsan)" -R "^contract/$id/"
  fi
  if [ -n "${info[3]}" ]; then
    step "lab $id: sim build (the explorer) and its contract"
    configure sim
    # shellcheck disable=SC2086
    cmake --build build/sim -j "$jobs" --target ${info[3]}
    run_ctest build/sim "contract $id (sim)" -R "^contract/$id/"
  fi
else
  step "the CLI's tests (unit, end to end)"
  cmake --build build/cli -j "$jobs"
  run_ctest build/cli "ctest cli"

  step "configure and build (default)"
  configure default
  cmake --build build/default -j "$jobs"
  cmake --build build/default -j "$jobs" --target conclab_starters

  step "CTest: default build"
  run_ctest build/default "ctest default"

  step "configure and build (ThreadSanitizer)"
  configure tsan
  cmake --build build/tsan -j "$jobs"

  step "CTest: ThreadSanitizer build"
  run_ctest build/tsan "ctest tsan"

  step "configure and build (sim: the labs' sim tests under the explorer)"
  configure sim
  cmake --build build/sim -j "$jobs"

  step "CTest: sim build"
  run_ctest build/sim "ctest sim" --no-tests=ignore

fi

step "done"
echo "Time per step:"
for t in "${timings[@]}"; do printf '  %5ss  %s\n' "${t%% *}" "${t#* }"; done
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All checks passed in $(( $(date +%s) - start ))s."
