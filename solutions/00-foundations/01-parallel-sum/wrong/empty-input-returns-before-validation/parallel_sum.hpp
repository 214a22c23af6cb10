// Lab 00.01 parallel sum, WRONG (empty-input-returns-before-validation): `if (values.empty()) return 0;` comes
// before the check of `threads`, so parallel_sum({}, 0) returns 0 instead of throwing.
//
// Why it looks right: the shortcut is a reasonable optimisation (no values, no threads to start), the sum of
// nothing is 0, and parallel_sum(values, 0) with values still throws. Why it is wrong: threads == 0 is the
// caller's mistake whatever the input, and the contract says it throws. Checked in this order, the same bad
// argument is an error on one input and silently accepted on another, so the caller finds the bug only when
// the input happens to be non-empty. ParallelSumTest.ZeroThreadsThrows fails. The fix: validate the arguments
// first, then take shortcuts.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <stdexcept>
#include <vector>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

inline std::int64_t parallel_sum(std::span<const std::int32_t> values, unsigned threads) {
  if (values.empty()) return 0;  // the bug: a shortcut before the argument check
  if (threads == 0) throw std::invalid_argument("parallel_sum: threads must be at least 1, got 0");

  const std::size_t n = values.size();
  const std::size_t workers = std::min<std::size_t>(threads, n);
  std::vector<std::int64_t> partials(workers);
  {
    std::vector<sync::jthread> running;
    running.reserve(workers);
    for (std::size_t i = 0; i < workers; ++i) {
      const std::size_t first = n * i / workers;
      const std::size_t last = n * (i + 1) / workers;
      running.emplace_back([&slot = partials[i], chunk = values.subspan(first, last - first)] {
        std::int64_t sum = 0;
        for (std::int32_t x : chunk) sum += x;
        slot = sum;
      });
    }
  }
  return std::accumulate(partials.begin(), partials.end(), std::int64_t{0});
}

}  // namespace lab
