#!/usr/bin/env bash
# The whole test suite of the course, as CI runs it. Bootstraps itself: installs what is missing
# (scripts/setup.sh) and builds everything it tests.
#
#   1. lint: every lab.toml and lab folder has what the build and the CLI rely on
#   2. PROGRESS.md matches the labs on disk; markdown links resolve; lesson ```cpp blocks compile
#   3. default build: every variant of every lab, the starters, conclab and its tests
#   4. CTest (default): the lab contract for every lab (final/improved pass, naive fails exactly what
#      lab.toml names, the starter is unsolved), conclab's unit and end-to-end tests, support/
#   5. ThreadSanitizer build of every variant, and CTest (tsan): final/improved clean, naive's races
#   6. clang with -Wthread-safety: support/ builds, and unlocked access to a guarded field is rejected
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs=$(nproc 2>/dev/null || echo 2)
start=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }
failed=()

step "setup"
scripts/setup.sh

step "configure and build (default)"
cmake --preset default >/dev/null
cmake --build build/default -j "$jobs"
cmake --build build/default -j "$jobs" --target conclab_starters
cli="$root/build/default/bin/conclab"

step "lint labs"
"$cli" maint lint || failed+=("lint")

step "PROGRESS.md is up to date"
"$cli" maint progress-md --check || failed+=("PROGRESS.md")

step "markdown links and lesson code blocks"
python3 scripts/check_docs.py || failed+=("docs")

step "CTest: default build"
ctest --test-dir build/default -j "$jobs" --output-on-failure || failed+=("ctest default")

step "configure and build (ThreadSanitizer)"
cmake --preset tsan -DCONCLAB_CLI="$cli" >/dev/null
cmake --build build/tsan -j "$jobs"

step "CTest: ThreadSanitizer build"
ctest --test-dir build/tsan -j "$jobs" --output-on-failure || failed+=("ctest tsan")

step "clang -Wthread-safety: the annotations prove locking (support/)"
if command -v clang++ >/dev/null 2>&1; then
  cmake --preset clang-tsa -DCONCLAB_BUILD_CLI=OFF >/dev/null
  cmake --build build/clang-tsa -j "$jobs" --target support_test
  ctest --test-dir build/clang-tsa -R '^support/' --output-on-failure || failed+=("clang-tsa")
else
  echo "clang++ is not installed: skipped (scripts/setup.sh installs it)"
fi

step "done"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All checks passed in $(( $(date +%s) - start ))s."
