// Lab 00.01 parallel sum, NAIVE: every thread adds each element straight into one shared `total`.
//
// The mistake, and why it looks right: this is the sequential loop with threads wrapped around it. It
// compiles without a warning, and on a quiet machine it may print the right number. It is wrong.
// `total += x` is three steps (load total, add x, store total), and nothing stops two threads from
// interleaving them: both load the same old value, both store, and one addition is lost.
//
// It is also a data race (two threads touch `total`, at least one writes, nothing orders them), and a
// data race is undefined behaviour: the compiler may assume no other thread writes `total`. GCC at -O2
// keeps `total` in a register for the whole loop and stores it once at the end, so one thread's store
// can wipe out another thread's entire chunk. ThreadSanitizer reports the race in every test that runs
// two or more threads, whether or not a wrong sum happened to come out.
//
// Lesson: modules/00-foundations/01-what-is-concurrency.md ("The lost update").
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
  std::int64_t total = 0;  // shared by every thread below, guarded by nothing: the bug
  std::vector<sync::thread> workers;
  workers.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    // Chunk i is [n*i/threads, n*(i+1)/threads): sizes differ by at most one, every element is in
    // exactly one chunk, and with more threads than values some chunks are simply empty.
    const std::size_t first = n * i / threads;
    const std::size_t last = n * (i + 1) / threads;
    workers.emplace_back([&total, chunk = values.subspan(first, last - first)] {
      for (std::int32_t x : chunk) total += x;  // data race: load, add, store, interleaved with other threads
    });
  }
  for (sync::thread& w : workers) w.join();
  return total;
}

}  // namespace lab
