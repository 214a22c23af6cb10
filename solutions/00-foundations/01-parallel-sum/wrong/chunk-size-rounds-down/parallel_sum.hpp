// Lab 00.01 parallel sum, WRONG (chunk-size-rounds-down): every chunk is `n / threads` values long, so the last
// n % threads values are in no chunk.
//
// Why it looks right: "split n values into `threads` chunks" reads as "each chunk has n / threads values", and
// with 50'000 values on 2, 4 or 8 threads (or 20'000 on 2) the division is exact and the sum is right. Why it
// is wrong: integer division rounds down. With 50'000 values on 3 threads the chunks are 16'666 long, they
// cover 49'998 values, and the last 2 are never added. ParallelSumTest.ExactSumWithThreeThreads,
// ParallelSumTest.UnevenChunks and ParallelSumTest.NegativeValues fail (the message names the missing tail),
// and under the explorer ParallelSumTest.TheWorkIsSplitAcrossTheThreads (4 values on 3 threads sums 1 + 2 + 3).
// The fix: chunk i is [n*i/threads, n*(i+1)/threads), which spreads the remainder over the chunks; or give the
// last chunk everything up to n.
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
    const std::size_t chunk_size = workers == 0 ? 0 : n / workers;  // the bug: rounds down, the remainder is lost
    for (std::size_t i = 0; i < workers; ++i) {
      running.emplace_back([&slot = partials[i], chunk = values.subspan(i * chunk_size, chunk_size)] {
        std::int64_t sum = 0;
        for (std::int32_t x : chunk) sum += x;
        slot = sum;
      });
    }
  }
  return std::accumulate(partials.begin(), partials.end(), std::int64_t{0});
}

}  // namespace lab
