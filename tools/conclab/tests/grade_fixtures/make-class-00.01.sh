#!/usr/bin/env bash
# Generates a class of N submissions of lab 00.01 (parallel sum), for measuring `conclab grade` on a
# realistic mix. Every submission is distinct (its own first line), so no two builds are the same.
#
#   make-class-00.01.sh <course root> <out dir> [N=100]
#
# Mix per 100: 35 final, 20 improved, 15 naive (races), 10 untouched starters, 8 that do not compile,
# 5 off by one, 3 that deadlock with 8 threads, 3 that abort with 3 threads, 1 memory bomb with 4 threads.
set -euo pipefail
root=$1
out=$2
n=${3:-100}
sol="$root/solutions/00-foundations/01-parallel-sum"
starter="$root/labs/00-foundations/01-parallel-sum/parallel_sum.hpp"
file=parallel_sum.hpp
rm -rf "$out"
mkdir -p "$out"

# Bugs are edits of the final version at one line each.
final_with() {  # final_with <sed expression>
  sed "$1" "$sol/final/$file"
}
hot_loop='for (std::int32_t x : chunk) sum += x;'
guard='if (threads == 0) throw std::invalid_argument("parallel_sum: threads must be at least 1, got 0");'

make_one() {  # make_one <index> <kind>
  local dir
  dir="$out/$(printf 'learner%03d-%s' "$1" "$2")"
  mkdir -p "$dir"
  {
    printf '// submission %s (%s)\n' "$1" "$2"
    case $2 in
      final) cat "$sol/final/$file" ;;
      improved) cat "$sol/improved/$file" ;;
      naive) cat "$sol/naive/$file" ;;
      starter) cat "$starter" ;;
      nocompile) final_with "s/slot = sum;/slot = sum/" ;;
      offbyone) final_with "s/$hot_loop/for (std::size_t k = 1; k < chunk.size(); ++k) sum += chunk[k];/" ;;
      deadlock)
        printf '#include <condition_variable>\n#include <mutex>\n'
        final_with "s/$guard/&\n  if (threads == 8) { std::mutex m; std::condition_variable cv; std::unique_lock l(m); cv.wait(l, [] { return false; }); }/"
        ;;
      abort)
        printf '#include <cstdlib>\n'
        final_with "s/$guard/&\n  if (threads == 3) std::abort();/"
        ;;
      memory)
        final_with "s/$guard/&\n  if (threads == 4) { std::vector<std::vector<char>> hoard; for (;;) hoard.emplace_back(std::size_t{64} << 20, 'x'); }/"
        ;;
    esac
  } >"$dir/$file"
}

kinds=()
add() { for _ in $(seq 1 "$2"); do kinds+=("$1"); done; }
add final 35
add improved 20
add naive 15
add starter 10
add nocompile 8
add offbyone 5
add deadlock 3
add abort 3
add memory 1
# 37 is coprime with 100: each block of 100 is the whole mix, in a scattered order.
for i in $(seq 0 $((n - 1))); do
  make_one "$i" "${kinds[$((i * 37 % 100))]}"
done
echo "$n submissions in $out"
