// Lab 00.01 parallel sum, WRONG (partial-sums-added-to-shared-total): each thread sums its chunk in a local
// variable, then does `total += sum;` once, on a shared total, without a lock.
//
// Why it looks right: the hot loop shares nothing, as in the final version, and "one addition per thread" feels
// too short to collide. In practice the sum comes out right in almost every run. Why it is wrong: it is still
// a data race (two threads write `total`, nothing orders them), so it is undefined behaviour, and when two
// threads finish together both can load the same old total and one whole chunk is lost. Rare is not never:
// on a busy machine it happens. No test of the sum can fail it every run; ThreadSanitizer reports the race in
// every test with two or more threads, and the explorer names the line both threads write
// (ParallelSumTest.TheWorkIsSplitAcrossTheThreads). The fix: write each sum to a slot of its own
// (partials[i]) and add the slots after join(), or lock a mutex around the one addition.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

inline std::int64_t parallel_sum(std::span<const std::int32_t> values, unsigned threads) {
  if (threads == 0) throw std::invalid_argument("parallel_sum: threads must be at least 1, got 0");

  const std::size_t n = values.size();
  std::int64_t total = 0;
  std::vector<sync::thread> workers;
  workers.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    const std::size_t first = n * i / threads;
    const std::size_t last = n * (i + 1) / threads;
    workers.emplace_back([&total, chunk = values.subspan(first, last - first)] {
      std::int64_t sum = 0;
      for (std::int32_t x : chunk) sum += x;
      total += sum;  // the bug: one unsynchronised read-modify-write per thread is still a data race
    });
  }
  for (sync::thread& w : workers) w.join();
  return total;
}

}  // namespace lab
