// Lab 00.01 parallel sum, FINAL: per-thread partial sums, combined after join().
//
// What changed from improved, and why: nothing is shared in the hot loop. Each thread adds its chunk
// into a local variable (which lives in a register, invisible to every other thread), then writes the
// result once into its own slot partials[i]; the caller adds the slots after joining. No two threads
// ever write the same memory, so there is no data race and no lock: join() is the only synchronisation
// needed, because everything a thread did happens-before join() returns. Each thread now runs exactly
// the sequential loop over its own chunk, so the work spreads over the cores.
//
// False sharing: partials[i] and partials[i + 1] are adjacent, so several of them share one 64-byte
// cache line. Threads that wrote their slots over and over would fight for that line even though
// they never touch the same variable (lesson 04, the hardware). Here each thread writes its slot
// once, so the line moves at most once per thread: padding each slot to its own line buys nothing.
//
// Two smaller changes: std::jthread joins in its destructor, so if starting thread k throws
// (std::system_error when the system is out of threads) the threads already running are joined while
// the exception propagates, where a vector of std::thread would call std::terminate (lesson 02,
// threads). And no more threads are started than there are values: the extra ones would have
// nothing to do.
//
// In production: don't create threads on every call. Creating and joining a thread took 56-140 us
// here, as long as adding some 20'000 numbers (the lesson measures both), so small inputs get slower,
// not faster. Use
// std::reduce(std::execution::par, values.begin(), values.end(), std::int64_t{0}) (libstdc++ runs it on
// TBB: link TBB::tbb), or hand the chunks to a long-lived thread pool; and below a size you measured,
// just run the plain loop.
//
// Lesson: modules/00-foundations/01-what-is-concurrency.md ("Fix 2: per-thread partial sums").
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

// Returns the exact sum of `values`, computed on up to `threads` threads, each summing one contiguous
// chunk. Throws std::invalid_argument if threads == 0. Keeps no state between calls, so it may be
// called from several threads at once.
inline std::int64_t parallel_sum(std::span<const std::int32_t> values, unsigned threads) {
  if (threads == 0) throw std::invalid_argument("parallel_sum: threads must be at least 1, got 0");

  const std::size_t n = values.size();
  const std::size_t workers = std::min<std::size_t>(threads, n);
  std::vector<std::int64_t> partials(workers);  // slot i: written once by thread i, read after join
  {
    std::vector<sync::jthread> running;
    running.reserve(workers);
    for (std::size_t i = 0; i < workers; ++i) {
      // Chunk i is [n*i/workers, n*(i+1)/workers): sizes differ by at most one, and every element
      // is in exactly one chunk.
      const std::size_t first = n * i / workers;
      const std::size_t last = n * (i + 1) / workers;
      running.emplace_back([&slot = partials[i], chunk = values.subspan(first, last - first)] {
        std::int64_t sum = 0;  // private to this thread: the hot loop shares nothing
        for (std::int32_t x : chunk) sum += x;
        slot = sum;  // the thread's only write to shared memory
      });
    }
  }  // ~jthread joins every worker: their writes to partials happen-before this point
  return std::accumulate(partials.begin(), partials.end(), std::int64_t{0});
}

}  // namespace lab
