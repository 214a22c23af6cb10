// Lab 00.01 parallel sum, WRONG (accumulate-starts-at-int-zero): the partial sums are std::int64_t, but they are
// added up with std::accumulate(partials.begin(), partials.end(), 0).
//
// Why it looks right: every thread adds into a std::int64_t, every slot is a std::int64_t, and the function
// returns a std::int64_t; the threads part is exactly the final version, and small tests pass. Why it is wrong:
// std::accumulate adds in the type of its start value, and `0` is an int. Each step computes `int + int64`
// correctly and then stores the result back into the int, which wraps modulo 2^32 once the total passes
// 2'147'483'647. Every test whose sum does not fit in 32 bits fails (ParallelSumTest.ExactSumWith*Thread(s),
// ParallelSumTest.NegativeValues), and the message says the error is a multiple of 2^32. No compiler warning
// at the default level, and ThreadSanitizer has nothing to say: there is no race. The fix:
// std::accumulate(partials.begin(), partials.end(), std::int64_t{0}).
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
  return std::accumulate(partials.begin(), partials.end(), 0);  // the bug: adds in int, wraps past 2^31 - 1
}

}  // namespace lab
