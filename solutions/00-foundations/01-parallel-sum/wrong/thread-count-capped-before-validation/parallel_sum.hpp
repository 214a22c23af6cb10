// Lab 00.01 parallel sum, WRONG (thread-count-capped-before-validation): the thread count is first capped at the
// number of values, and then the CAPPED count is checked for 0, so an empty input throws std::invalid_argument.
//
// Why it looks right: starting more threads than there are values is waste, so `workers = min(threads, n)` is a
// good idea (the final version does it), and `if (workers == 0) throw` still rejects threads == 0. Why it is
// wrong: workers is also 0 when n is 0, so parallel_sum({}, 4) throws "threads must be at least 1" although the
// caller asked for 4 threads and the sum of no values is simply 0. ParallelSumTest.EmptyInputSumsToZero fails.
// The fix: check the argument the caller passed (`threads == 0`) before deriving anything from it.
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
  const std::size_t n = values.size();
  const std::size_t workers = std::min<std::size_t>(threads, n);
  if (workers == 0) throw std::invalid_argument("parallel_sum: threads must be at least 1");  // the bug: 0 when n is 0

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
