// Lab 00.01 parallel sum, WRONG (single-threaded-accumulate): the sum of all the values, on the calling thread.
//
// Why it looks right: every test of the total passes, it is faster than the naive version for small inputs, and
// ThreadSanitizer has nothing to report, because nothing is shared. Why it is wrong here: the lab asks for the
// work to be split into `threads` chunks, each summed on its own thread, which is the skill the module builds
// on. The explorer counts the threads a call starts (ParallelSumTest.TheWorkIsSplitAcrossTheThreads).
#pragma once

#include <cstdint>
#include <numeric>
#include <span>
#include <stdexcept>

namespace lab {

inline std::int64_t parallel_sum(std::span<const std::int32_t> values, unsigned threads) {
  if (threads == 0) throw std::invalid_argument("parallel_sum: threads must be at least 1");
  return std::accumulate(values.begin(), values.end(), std::int64_t{0});
}

}  // namespace lab
