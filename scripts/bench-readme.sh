#!/usr/bin/env bash
# Regenerates the benchmark tables in capstone READMEs (and lessons with bench markers): runs
# `conclab bench ID --repetitions 5 --no-learner --write-readme` for each ID, which writes medians,
# the final/naive ratio, the command and the machine between <!-- bench:ID:begin --> and <!-- bench:ID:end -->.
#
#   scripts/bench-readme.sh P01 P03
#
# Run it on an otherwise idle machine: the figures are only as good as the quiet around them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ $# -gt 0 ] || { echo "usage: scripts/bench-readme.sh ID [ID ...]" >&2; exit 2; }
for id in "$@"; do
  ./conclab bench "$id" --repetitions "${REPETITIONS:-5}" --no-learner --write-readme
done
