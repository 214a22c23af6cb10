#!/usr/bin/env bash
# Makes the copy of the course that learners get: everything but the reference solutions.
#
#   scripts/make-student-release.sh [--root COURSE] [--out DIR] [--check LAB] [--hints N] [--no-git]
#
# Left out: solutions/ (the naive, improved and final versions and the known-wrong variants), the [variants.*]
# and [wrong.*] tables of each lab.toml under labs/ and projects/ (they describe the reference versions and
# the bugs the tests catch; conclab cuts them out, `conclab maint release-toml`), build trees, .git (its
# history holds the solutions), grades/ (the class's results), the course's CI hook (.ci/) and local
# state (.conclab/). Everything else is copied as it is, so the release builds, and `./conclab check`
# works in it: each lab's graded tests and its starter are there; the build simply has no reference
# targets to make.
#
# The release is a new git repository with one commit (push it to your class's hosting as it is), so
# `./conclab reset` can put a starter back from it. --no-git leaves it a plain folder.
#
# --hints N     keep only each lab's first N hints (a graded class may hold back the last, which is close to the
#               code; `conclab hint` then says there are no more). Default: every hint.
# --check LAB   afterwards, runs `./conclab check LAB --no-tsan` inside the release (builds conclab and
#               the lab) and fails unless it gives a verdict on the starter (exit 0 or 1).
# Default --out: build/student-release (inside the course, git-ignored). The course's conclab does the cutting:
# $CONCLAB if set, else the course's ./conclab wrapper (which builds it when needed).
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed 's/^# \{0,1\}//; /^set -euo/d' >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=""
check=""
hints=""
git_init=1
while [ $# -gt 0 ]; do
  case $1 in
    --root) root=$(cd "$2" && pwd); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --check) check=$2; shift 2 ;;
    --hints)
      case $2 in ''|*[!0-9]*) echo "make-student-release.sh: --hints wants a number of hints to keep (0 or more), not '$2'" >&2; exit 2 ;; esac
      hints=$2; shift 2 ;;
    --no-git) git_init=0; shift ;;
    -h|--help) usage ;;
    *) echo "make-student-release.sh: unknown argument $1" >&2; usage ;;
  esac
done
[ -n "$out" ] || out="$root/build/student-release"
case $out in /*) ;; *) out="$PWD/$out" ;; esac
if [ -e "$out" ] && [ ! -d "$out" ]; then
  echo "make-student-release.sh: $out exists and is not a folder." >&2
  exit 2
fi
case "$out/" in "$root/solutions/"*) echo "make-student-release.sh: --out must not be inside solutions/." >&2; exit 2 ;; esac

rm -rf "$out"
mkdir -p "$out"
# In a git checkout, the files git tracks plus new ones it does not ignore: nothing local comes along
# (build trees, .conclab/ progress, and above all grades/, the class's results). Elsewhere, the same
# folders are left out by name. solutions/ is the one thing learners must never get.
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1 && [ "$(git -C "$root" rev-parse --show-toplevel)" = "$root" ]; then
  git -C "$root" ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do
      case $f in solutions/* | .ci/*) continue ;; esac
      [ -e "$root/$f" ] && printf '%s\0' "$f"  # a tracked file deleted in the working tree is not copied
    done |
    tar -C "$root" --null -T - -cf - | tar -C "$out" -xf -
else
  tar -C "$root" \
    --exclude=./build --exclude=./solutions --exclude=./grades --exclude=./.git --exclude=./.ci --exclude=.conclab --exclude='*.swp' \
    --exclude=./.cache --exclude=./compile_commands.json \
    -cf - . | tar -C "$out" -xf -
fi

# lab.toml: without its [variants.*] and [wrong.*] tables, cut by conclab (which checks that nothing else changed).
cli=${CONCLAB:-$root/conclab}
if [ ! -x "$cli" ]; then
  echo "make-student-release.sh: no conclab to cut the lab.toml files with ($cli); set CONCLAB=<path to conclab>." >&2
  exit 2
fi
stripped=0
while IFS= read -r -d '' toml; do
  "$cli" --root "$root" maint release-toml "$toml" ${hints:+--hints "$hints"} >"$toml.tmp" || { rm -f "$toml.tmp"; exit 1; }
  mv "$toml.tmp" "$toml"
  stripped=$((stripped + 1))
done < <(find "$out/labs" "$out/projects" -name lab.toml -print0 2>/dev/null)

# Nothing that names a reference file may be left behind.
if [ -d "$out/solutions" ] || grep -rqsE '^\s*\[(variants|wrong)[.\]]' --include=lab.toml "$out/labs" "$out/projects"; then
  echo "make-student-release.sh: the release still holds solutions; not finished." >&2
  exit 1
fi
if [ "$git_init" = 1 ]; then
  if command -v git >/dev/null 2>&1; then
    git -C "$out" init -q
    git -C "$out" add -A
    git -C "$out" -c user.name="conclab release" -c user.email="release@conclab.invalid" \
      commit -q -m "conclab student release (no solutions)"
  else
    echo "note: git is not installed, so the release is a plain folder (./conclab reset needs git)." >&2
    git_init=0
  fi
fi
echo "Student release in $out ($stripped labs; no solutions/, no [variants.*] or [wrong.*]$([ "$git_init" = 1 ] && echo ", a fresh git repository with one commit" || echo ", no .git"))."

if [ -n "$check" ]; then
  echo "Checking that the release builds and that \`conclab check $check\` works there..."
  set +e
  (cd "$out" && NO_COLOR=1 ./conclab check "$check" --no-tsan)
  code=$?
  set -e
  if [ "$code" != 0 ] && [ "$code" != 1 ]; then
    echo "make-student-release.sh: \`conclab check $check\` in the release exited $code (expected a verdict: 0 or 1)." >&2
    exit 1
  fi
  echo "The release builds and checks lab $check (exit $code: a verdict on the starter)."
fi
