#!/usr/bin/env bash
# Builds a Gradescope autograder zip for one lab: Gradescope's workers then grade every submission with
# `conclab grade --gradescope`, which is how a class of hundreds is graded without one machine doing it all.
#
#   scripts/make-autograder.sh LAB [--root COURSE] [--out FILE]
#
# LAB is a lab id (00.01, P01). The zip (default: build/autograder-<LAB>.zip) holds, at its root:
#   setup.sh         Gradescope runs it once, as root, to build the image: installs the packages
#                    (scripts/setup.sh), builds conclab (build/cli), and prepares the scratch build of the lab
#                    (configured, starter built, tests listed), so each submission starts warm.
#   run_autograder   Gradescope runs it per submission: /autograder/submission in,
#                    /autograder/results/results.json out (written even when grading fails).
# and beside them what those need: the build files, support/, tools/conclab and its ./conclab wrapper,
# scripts/setup.sh and the one
# lab's folder. Never solutions/, never other labs.
#
# Use Gradescope's Ubuntu 24.04 base image (the course needs CMake >= 3.25). Memory: 2 GB or more.
# To try it locally:   AUTOGRADER_ROOT=/tmp/ag run_autograder   after unzipping into /tmp/ag/source.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed 's/^# \{0,1\}//; /^set -euo/d' >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lab=""
out=""
while [ $# -gt 0 ]; do
  case $1 in
    --root) root=$(cd "$2" && pwd); shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "make-autograder.sh: unknown option $1" >&2; usage ;;
    *) [ -z "$lab" ] || usage; lab=$1; shift ;;
  esac
done
[ -n "$lab" ] || usage

# The lab's folder, from conclab (the one reader of lab.toml): $CONCLAB if set, else the course's ./conclab.
cli=${CONCLAB:-$root/conclab}
if [ ! -x "$cli" ]; then
  echo "make-autograder.sh: no conclab to read the labs with ($cli); set CONCLAB=<path to conclab>." >&2
  exit 2
fi
facts=$(mktemp /tmp/conclab-facts.XXXXXX.json)  # a file: the facts outgrow one command-line argument (128 KiB)
trap 'rm -f "$facts"' EXIT
"$cli" --root "$root" maint labs --json > "$facts" || exit 2
lab_rel=$(python3 -c 'import json, sys; print("".join(l["dir"] for l in json.load(open(sys.argv[1]))["labs"] if l["id"] == sys.argv[2]))' "$facts" "$lab")
if [ -z "$lab_rel" ]; then
  echo "make-autograder.sh: no lab with id \"$lab\" under $root (ids look like 00.01 or P01; \`conclab list\` shows them)." >&2
  exit 2
fi
[ -n "$out" ] || out="$root/build/autograder-$lab.zip"
case $out in /*) ;; *) out="$PWD/$out" ;; esac

stage=$(mktemp -d /tmp/conclab-autograder.XXXXXX)
trap 'rm -rf "$stage"; rm -f "$facts"' EXIT
copy() {  # copy <path relative to the course>: files and folders, without build trees or VCS data
  local rel=$1
  mkdir -p "$stage/$(dirname "$rel")"
  tar -C "$root" --exclude=build --exclude=.git --exclude=.conclab -cf - "$rel" | tar -C "$stage" -xf -
}
# What a build of the course needs (conclab says which files), conclab itself, and the one lab.
mapfile -t build_files < <(python3 -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["build_files"]))' "$facts")
for p in "${build_files[@]}" conclab tools/conclab scripts/setup.sh "$lab_rel"; do copy "$p"; done

cat >"$stage/setup.sh" <<EOF
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (made by scripts/make-autograder.sh).
set -euo pipefail
cd "\$(dirname "\$0")"
scripts/setup.sh
./conclab --root "\$PWD" grade --lab $lab --prepare --jobs 1
EOF

cat >"$stage/run_autograder" <<EOF
#!/usr/bin/env bash
# Gradescope runs this for every submission (made by scripts/make-autograder.sh for lab $lab).
# In: \$AUTOGRADER_ROOT/submission (the learner's files, or a copy of the course). Out:
# \$AUTOGRADER_ROOT/results/results.json, which conclab writes even when grading itself fails.
set -uo pipefail
ag=\${AUTOGRADER_ROOT:-/autograder}
source="\$ag/source"
conclab=\${CONCLAB:-\$source/build/cli/bin/conclab}
mkdir -p "\$ag/results"
# CONCLAB_GRADE_ARGS: extra options, for trying the autograder locally (e.g. --work DIR).
# shellcheck disable=SC2086
"\$conclab" --root "\$source" grade --gradescope --lab $lab --autograder-root "\$ag" \${CONCLAB_GRADE_ARGS:-}
status=\$?
if [ ! -s "\$ag/results/results.json" ]; then
  printf '{"score": 0, "output": "The autograder could not start conclab (exit %s).", "tests": []}\n' "\$status" >"\$ag/results/results.json"
fi
exit 0
EOF
chmod +x "$stage/setup.sh" "$stage/run_autograder"

mkdir -p "$(dirname "$out")"
rm -f "$out"
if command -v zip >/dev/null 2>&1; then
  (cd "$stage" && zip -qr "$out" .)
else
  python3 - "$stage" "$out" <<'PY'
import os, sys, zipfile
stage, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for dirpath, _, files in os.walk(stage):
        for f in sorted(files):
            path = os.path.join(dirpath, f)
            z.write(path, os.path.relpath(path, stage))
PY
fi
echo "Wrote $out (lab $lab: $lab_rel). Upload it as the assignment's autograder on Gradescope (Ubuntu 24.04 base image)."
