#!/usr/bin/env bash
# How long a learner waits for a verdict after a one-line edit, lab by lab: the table in docs/authoring.md.
#
#   scripts/verdict-timing.sh [--runs N] [ID ...]      (default: 5 runs, every lab)
#
# For each lab: its final version is put in the learner's folder (a lab that passes, so no hang or failure
# decides the time), checked once to warm the build trees, then N times: a one-line edit (a comment appended
# to an editable file), `./conclab check ID --no-tsan --json` and, for labs that use ThreadSanitizer,
# `./conclab check ID --json`, each timed from outside. Prints one markdown row per lab (median and max, and
# the build's share from the check's own JSON) and the medians over all labs. The learner's files are put back
# at the end, even on Ctrl-C; .conclab/state.json is left as it was.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs=5
if [ "${1:-}" = "--runs" ]; then runs=$2; shift 2; fi
cli=./conclab
"$cli" --version >/dev/null
facts=$(mktemp /tmp/conclab-facts.XXXXXX.json)  # a file: the facts outgrow one command-line argument (128 KiB)
trap 'rm -f "$facts"' EXIT
"$cli" maint labs --json > "$facts" || exit 2
if [ $# -eq 0 ]; then
  mapfile -t ids < <(python3 -c 'import json,sys; [print(l["id"]) for l in json.load(open(sys.argv[1]))["labs"]]' "$facts")
else
  ids=("$@")
fi
work=$(mktemp -d /tmp/conclab-timing.XXXXXX)
cp -a .conclab "$work/state" 2>/dev/null || true
restore() {
  rm -f "$facts"
  # New mtimes: with the old ones the build would keep the final version it compiled for the timing.
  if [ -d "$work/files" ]; then cp -a --no-preserve=timestamps "$work/files/." "$root/"; fi
  rm -rf "$root/.conclab"
  if [ -d "$work/state" ]; then cp -a "$work/state" "$root/.conclab"; fi
  rm -rf "$work"
}
trap restore EXIT

echo "| lab | edit → verdict, normal build (median / max) | build share | with ThreadSanitizer (median / max) | build share |"
echo "|---|---|---|---|---|"
python_stats='
import json, statistics, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
if not rows: print("-"); sys.exit()
wall = [r["wall"] for r in rows]
build = [r["build"] for r in rows]
print(f"{statistics.median(wall):.2f} s / {max(wall):.2f} s|{100 * statistics.median(build) / statistics.median(wall):.0f}%")'
all_normal=() all_tsan=()
for id in "${ids[@]}"; do
  read -r dir files tsan < <(python3 -c '
import json, sys
for lab in json.load(open(sys.argv[1]))["labs"]:
    if lab["id"] == sys.argv[2]:
        print(lab["dir"], ",".join(lab["files"]), "thread" in lab["sanitizers"])' "$facts" "$id")
  sol=$(python3 -c 'import json,sys; [print(l["variants"]["final"]["dir"]) for l in json.load(open(sys.argv[1]))["labs"] if l["id"]==sys.argv[2]]' "$facts" "$id")
  IFS=, read -r -a editable <<<"$files"
  for f in "${editable[@]}"; do
    mkdir -p "$work/files/$dir"
    [ -e "$work/files/$dir/$f" ] || cp -a "$dir/$f" "$work/files/$dir/$f"
    cp "$sol/$f" "$dir/$f"
  done
  "$cli" check "$id" --json >/dev/null 2>&1 || true  # warm: both trees configured, PCH and the lab built
  : >"$work/normal" ; : >"$work/tsan"
  for i in $(seq 1 "$runs"); do
    for mode in normal tsan; do
      [ "$mode" = tsan ] && [ "$tsan" != True ] && continue
      echo "// timing edit $i $mode" >>"$dir/${editable[0]}"
      args=(check "$id" --json); [ "$mode" = normal ] && args+=(--no-tsan)
      t0=$(date +%s.%N)
      out=$("$cli" "${args[@]}" 2>/dev/null || true)
      t1=$(date +%s.%N)
      python3 -c '
import json, sys
r = json.loads(sys.argv[1]); wall = float(sys.argv[3]) - float(sys.argv[2])
print(json.dumps({"wall": wall, "build": sum(b.get("build_seconds", 0) for b in r["builds"]) / max(1, len(r["builds"])), "verdict": r["verdict"]}))' \
        "$out" "$t0" "$t1" >>"$work/$mode"
    done
  done
  n=$(python3 -c "$python_stats" <"$work/normal")
  t=$(python3 -c "$python_stats" <"$work/tsan")
  all_normal+=("$(python3 -c 'import json,statistics,sys; print(statistics.median(json.loads(l)["wall"] for l in sys.stdin if l.strip()))' <"$work/normal")")
  [ "$tsan" = True ] && all_tsan+=("$(python3 -c 'import json,statistics,sys; print(statistics.median(json.loads(l)["wall"] for l in sys.stdin if l.strip()))' <"$work/tsan")")
  echo "| $id | ${n%|*} | ${n#*|} | ${t%|*} | ${t#*|} |"
done
python3 - "${all_normal[*]}" "${all_tsan[*]}" <<'PY'
import statistics, sys
normal = [float(x) for x in sys.argv[1].split()]
tsan = [float(x) for x in sys.argv[2].split()]
print()
print(f"Median over {len(normal)} labs: {statistics.median(normal):.2f} s (worst {max(normal):.2f} s); "
      f"with ThreadSanitizer, over {len(tsan)} labs: {statistics.median(tsan):.2f} s (worst {max(tsan):.2f} s)." if tsan else "")
PY
