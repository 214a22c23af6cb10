// Lab 00.01 parallel sum, WRONG (loop-index-captured-by-reference): the thread's lambda captures everything by
// reference, `[&]`, and computes its chunk and its slot from the loop variable `i` when it runs.
//
// Why it looks right: `[&]` is the capture people reach for, the chunk arithmetic and the partials are those of
// the final version, and sometimes the sum is even right. Why it is wrong: the thread reads `i` whenever it gets
// to run, while the starting loop goes on incrementing it, so two threads can read the same `i` (one chunk
// summed twice, another never), a thread can read `i == threads` (partials[threads] is past the end), and it
// may read `i` after the loop has ended and the variable is gone. It is also a data race on `i`: undefined
// behaviour. Which of these happens changes from run to run, so no test of the sum fails it every run; the
// explorer reports the race on `i` on its first schedule (ParallelSumTest.TheWorkIsSplitAcrossTheThreads).
// The fix: capture what each thread needs by value when it starts: `[&slot = partials[i], chunk = ...]`.
#pragma once

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
  std::vector<std::int64_t> partials(threads);
  std::vector<sync::thread> workers;
  workers.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    workers.emplace_back([&] {  // the bug: `i` is read when the thread runs, not when it is started
      const std::size_t first = n * i / threads;
      const std::size_t last = n * (i + 1) / threads;
      std::int64_t sum = 0;
      for (std::int32_t x : values.subspan(first, last - first)) sum += x;
      partials[i] = sum;
    });
  }
  for (sync::thread& w : workers) w.join();
  return std::accumulate(partials.begin(), partials.end(), std::int64_t{0});
}

}  // namespace lab
