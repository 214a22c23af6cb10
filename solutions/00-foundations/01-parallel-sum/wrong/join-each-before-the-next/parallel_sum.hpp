// Lab 00.01 parallel sum, WRONG (join-each-before-the-next): each chunk gets a thread of its own, and each
// thread is joined right after it is started, before the next one starts.
//
// Why it looks right: `threads` threads are started, every chunk is summed on its own thread into its own
// slot, nothing is shared, and the total is right for every input; ThreadSanitizer has nothing to report.
// Why it is wrong: a join waits for that thread to finish, so the chunks are summed one after another. At any
// moment one worker runs: this is a sequential sum that pays for a thread start per chunk, slower than
// std::accumulate. Under the explorer ParallelSumTest.TheWorkIsSplitAcrossTheThreads counts the threads
// started before the first join: 1 of 3. The fix: start every thread first, then join them all (a vector of
// sync::jthread whose destructor joins, as final does).
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
  std::vector<std::int64_t> partials(workers);  // slot i: written once by thread i, read after its join
  for (std::size_t i = 0; i < workers; ++i) {
    const std::size_t first = n * i / workers;
    const std::size_t last = n * (i + 1) / workers;
    sync::jthread worker([&slot = partials[i], chunk = values.subspan(first, last - first)] {
      std::int64_t sum = 0;
      for (std::int32_t x : chunk) sum += x;
      slot = sum;
    });
    worker.join();  // the bug: waits for this chunk before the next thread even starts
  }
  return std::accumulate(partials.begin(), partials.end(), std::int64_t{0});
}

}  // namespace lab
