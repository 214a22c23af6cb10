#!/usr/bin/env bash
# The whole test suite of the course, as CI runs it. Bootstraps itself: installs what is missing
# (scripts/setup.sh, which also builds the conclab CLI into build/cli) and builds everything it tests.
#
#   scripts/test.sh              everything (docs/authoring.md: what runs, and the time budget)
#   scripts/test.sh --lab ID     the author's fast path: lint, then one lab's variants in both trees and
#                                its contract tests (ID as everywhere: 01.03, 1.3, blocking-queue)
#
#   1. lint: every lab.toml and lab folder has what the build and the CLI rely on; PROGRESS.md matches
#      the labs on disk; markdown links resolve; lesson ```cpp blocks compile
#   2. the CLI's own tests (build/cli): unit tests, and the end-to-end tests (pytest, in parallel)
#   3. default build: every variant of every lab and the starters; CTest: the lab contract for each
#      (final/improved pass, naive and every wrong variant fail exactly what lab.toml names, the starter
#      is unsolved), support/
#      (the graded builds are clang's, with -Wthread-safety: support/'s annotations must reject unlocked access)
#   4. ThreadSanitizer build of what a lab's TSan claims need; CTest: final/improved clean, the races named
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
step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }
failed=()

step "setup"
scripts/setup.sh
cli="$root/build/cli/bin/conclab"

# A compile cache when there is one: shared by every clone on this machine (paths are hashed relative to the
# course root), so a second clone, or a second run, compiles only what changed.
cache_args=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
  cache_args=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
configure() {  # configure <preset>
  cmake --preset "$1" -DCONCLAB_CLI="$cli" "${cache_args[@]}" >/dev/null
}

step "lint labs, PROGRESS.md, markdown links and lesson code blocks"
"$cli" maint lint || failed+=("lint")
"$cli" maint progress-md --check || failed+=("PROGRESS.md")
if [ -z "$lab" ]; then
  python3 scripts/check_docs.py || failed+=("docs")
fi

if [ -n "$lab" ]; then
  # The fast path: one lab, both trees.
  targets_of() { "$cli" maint labs --json | python3 -c '
import json, sys
want = sys.argv[1]
for lab in json.load(sys.stdin)["labs"]:
    if want in (lab["id"], lab["slug"]) or lab["id"].lstrip("0").replace(".0", ".") == want.lstrip("0").replace(".0", "."):
        print(lab["id"]); print(" ".join(lab["targets"].values())); print("thread" in lab["sanitizers"])
        sys.exit(0)
sys.exit("scripts/test.sh: there is no lab " + repr(want) + "; ./conclab list shows them")' "$lab"; }
  mapfile -t info < <(targets_of)
  [ ${#info[@]} -eq 3 ] || exit 2
  id=${info[0]}
  step "lab $id: default build and its contract"
  configure default
  # shellcheck disable=SC2086
  cmake --build build/default -j "$jobs" --target ${info[1]}
  ctest --test-dir build/default -j "$jobs" --output-on-failure -R "^contract/$id/" || failed+=("contract $id (default)")
  if [ "${info[2]}" = True ]; then
    step "lab $id: ThreadSanitizer build and its contract"
    configure tsan
    cmake --build build/tsan -j "$jobs"
    ctest --test-dir build/tsan -j "$jobs" --output-on-failure -R "^contract/$id/" || failed+=("contract $id (tsan)")
  fi
else
  step "the CLI's tests (unit, end to end)"
  cmake --build build/cli -j "$jobs"
  ctest --test-dir build/cli --output-on-failure || failed+=("ctest cli")

  step "configure and build (default)"
  configure default
  cmake --build build/default -j "$jobs"
  cmake --build build/default -j "$jobs" --target conclab_starters

  step "CTest: default build"
  ctest --test-dir build/default -j "$jobs" --output-on-failure || failed+=("ctest default")

  step "configure and build (ThreadSanitizer)"
  configure tsan
  cmake --build build/tsan -j "$jobs"

  step "CTest: ThreadSanitizer build"
  ctest --test-dir build/tsan -j "$jobs" --output-on-failure || failed+=("ctest tsan")

fi

step "done"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All checks passed in $(( $(date +%s) - start ))s."
