#!/usr/bin/env bash
# Measures what scripts/test.sh will cost when the course is complete: a synthetic course of N labs, each with
# W known-wrong variants, tested end to end on a cold cache (docs/authoring.md, "The suite's budget").
#
#   scripts/project-suite.sh [--labs 75] [--wrong 6] [--out DIR] [--no-run]
#
# The synthetic course is a copy of this one (the files git knows) plus, to reach N labs, copies of the
# existing labs in a module 90-synthetic (ids 90.01...) and of the capstones as P02, P04, P05, P06 (up to six
# capstones), each copy a complete lab: starter, tests, naive/improved/final. Every lab, real or copied, then
# gets W wrong variants, each a copy of its naive version claiming exactly what naive claims (`fails`,
# `fails_tsan`, `fails_sim`): the costly case, since each one is built and checked in the TSan and sim trees too.
# Then `scripts/test.sh` runs there with ccache disabled and the time of each step is printed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
labs=75 wrong=6 out=/tmp/conclab-projection run=1
while [ $# -gt 0 ]; do
  case $1 in
    --no-run) run=0; shift ;;
    --labs) labs=$2; shift 2 ;;
    --wrong) wrong=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed 's/^# \{0,1\}//; /^set -euo/d'; exit 0 ;;
    *) echo "project-suite.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done
rm -rf "$out"
mkdir -p "$out"
git -C "$root" ls-files -z --cached --others --exclude-standard | tar -C "$root" --null -T - -cf - | tar -C "$out" -xf -
git -C "$out" init -q && git -C "$out" add -A && git -C "$out" -c user.name=p -c user.email=p@p.invalid commit -qm "projection base"

facts=$(mktemp /tmp/conclab-facts.XXXXXX.json)  # a file: the facts outgrow one command-line argument (128 KiB)
trap 'rm -f "$facts"' EXIT
"$root/conclab" --root "$root" maint labs --json > "$facts" || exit 2  # naive's claims, from the one reader of lab.toml
python3 - "$out" "$labs" "$wrong" "$facts" <<'PY'
import json, os, re, shutil, sys
out, want, wrong = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
naive_claims = {os.path.join(out, lab["dir"]): lab["variants"].get("naive", {}) for lab in json.load(open(sys.argv[4]))["labs"]}
def lab_dirs():
    found = []
    for base, depth in (("labs", 2), ("projects", 1)):
        for dirpath, dirs, files in os.walk(os.path.join(out, base)):
            rel = os.path.relpath(dirpath, os.path.join(out, base))
            if "lab.toml" in files and rel.count(os.sep) == depth - 1:
                found.append(dirpath)
    return sorted(found)
def solutions_of(lab):
    rel = os.path.relpath(lab, out)
    return os.path.join(out, "solutions", rel if rel.startswith("projects") else os.path.relpath(lab, os.path.join(out, "labs")))
def copy_lab(src, dst, new_id):
    naive_claims[dst] = naive_claims[src]
    shutil.copytree(src, dst)
    shutil.copytree(solutions_of(src), solutions_of(dst))
    toml = os.path.join(dst, "lab.toml")
    text = re.sub(r'(?m)^id = ".*"$', f'id = "{new_id}"', open(toml).read())
    open(toml, "w").write(text)
existing = lab_dirs()
modules = [d for d in existing if "/labs/" in d]
projects = [d for d in existing if "/projects/" in d]
n = len(existing)
# Capstones first, up to six (P01..P06), then labs in module 90-synthetic.
free_ids = [i for i in range(1, 7) if not any(os.path.basename(p).startswith(f"{i:02d}-") for p in projects)]
k = 0
while n < want and free_ids and projects:
    i = free_ids.pop(0)
    src = projects[k % len(projects)]
    copy_lab(src, os.path.join(out, "projects", f"{i:02d}-copy-of-{os.path.basename(src)[3:]}"), f"P{i:02d}")
    n += 1; k += 1
k = 0
while n < want:
    src = modules[k % len(modules)]
    k += 1
    copy_lab(src, os.path.join(out, "labs", "90-synthetic", f"{k:02d}-{os.path.basename(src)[3:]}"), f"90.{k:02d}")
    n += 1
# W wrong variants per lab: copies of naive, claiming what naive claims.
for lab in lab_dirs():
    toml = os.path.join(lab, "lab.toml")
    text = open(toml).read()
    claims = "".join(f"{key} = {json.dumps(naive_claims[lab][key])}\n" for key in ("fails", "fails_tsan", "fails_sim") if key in naive_claims[lab])
    for w in range(1, wrong + 1):
        shutil.copytree(os.path.join(solutions_of(lab), "naive"), os.path.join(solutions_of(lab), "wrong", f"copy-{w}"))
        text += f'\n[wrong.copy-{w}]\nwhy = "A copy of the naive version (a synthetic lab for the suite\'s projection)."\n{claims}'
    open(toml, "w").write(text)
print(f"synthetic course: {len(lab_dirs())} labs, {wrong} wrong variants each")
PY
cd "$out"
start=$(date +%s)  # from here on: building the synthetic course's own conclab counts too
./conclab maint progress-md >/dev/null
./conclab maint lint | tail -1
[ "$run" = 1 ] || exit 0
echo "Running scripts/test.sh in $out with ccache disabled (a cold cache)..."
CCACHE_DISABLE=1 scripts/test.sh 2>&1 | tee "$out/test.log" | grep -E "^== |^  +[0-9]+s  |All checks passed|FAILED|slow:" || true
echo "Projection: $labs labs x $wrong wrong variants: $(( $(date +%s) - start )) s in all (log: $out/test.log)."
