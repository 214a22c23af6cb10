// Lab 00.01 parallel sum, IMPROVED: a std::mutex locked around every `total += x`.
//
// What changed from naive, and why: one lock around the one line that touches shared state. A thread
// must now hold `mu` to load, add and store `total`, so no other thread can slip in between those three
// steps, and every unlock() synchronises-with the next lock() of `mu`, so each addition sees the one
// before it. The result is exact in every run and ThreadSanitizer is silent: correct.
//
// Why it is still not good enough: it is slower than one thread doing the whole sum. Each element now
// costs a lock and an unlock instead of a single add, and with several threads they take turns on one
// mutex whose cache line moves from core to core on every hand-over. The threads spend their time
// waiting for each other, so adding threads does not make it faster. Measured here it was 25 times
// slower than one plain thread at 1, 2 and 4 threads (the lesson's table); `./conclab bench 00.01`
// shows it on your machine. Locking is right; locking per element is the mistake. The fix is to
// share less, not to lock faster (see final).
//
// Lesson: modules/00-foundations/01-what-is-concurrency.md ("Fix 1: a mutex around every add").
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
  sync::mutex mu;
  std::int64_t total = 0;  // guarded by mu
  std::vector<sync::thread> workers;
  workers.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    // Chunk i is [n*i/threads, n*(i+1)/threads): sizes differ by at most one, every element is in
    // exactly one chunk, and with more threads than values some chunks are simply empty.
    const std::size_t first = n * i / threads;
    const std::size_t last = n * (i + 1) / threads;
    workers.emplace_back([&mu, &total, chunk = values.subspan(first, last - first)] {
      for (std::int32_t x : chunk) {
        sync::lock_guard lock(mu);  // correct, but one lock per element: the cost is the lock, not the add
        total += x;
      }
    });
  }
  for (sync::thread& w : workers) w.join();
  return total;  // every worker has been joined: no other thread touches total any more
}

}  // namespace lab
