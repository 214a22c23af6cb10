// Lab 00.01: parallel sum.
// Lesson: modules/00-foundations/01-what-is-concurrency.md   Check: ./conclab check 00.01
//
// Add up `values` on `threads` threads and return the exact sum.
//
//   - Split `values` into `threads` contiguous chunks and sum each chunk on its own std::thread.
//     (The loop below already does the split and starts the threads; what they do is up to you.)
//   - Return the exact sum as std::int64_t: the sum of many int32 values does not fit in 32 bits.
//   - threads == 0 throws std::invalid_argument. More threads than values must work: some chunks are
//     then empty.
//   - Keep no global or static state: parallel_sum may be called from several threads at once.
//
// The graded run also builds the tests with ThreadSanitizer, which reports every data race, including
// the ones that happened not to give a wrong sum this time.
//
// sync:: is conclab::sync (conclab/sync.hpp): std's primitives under the course's names (sync::thread is
// std::thread, sync::mutex is std::mutex, and so on), instrumented in the sim build so that the course's
// explorer can try every schedule of the threads (module 01's README says more).
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
  // TODO(lab): threads == 0 leaves nobody to do the work: throw std::invalid_argument, with a message
  // that says what was wrong, before anything else happens.

  const std::size_t n = values.size();
  std::int64_t total = 0;
  std::vector<sync::thread> workers;
  workers.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    // Chunk i is [n*i/threads, n*(i+1)/threads): sizes differ by at most one, every element is in
    // exactly one chunk, and with more threads than values some chunks are simply empty.
    const std::size_t first = n * i / threads;
    const std::size_t last = n * (i + 1) / threads;
    workers.emplace_back([chunk = values.subspan(first, last - first)] {
      // TODO(lab): add up the elements of `chunk`, and get that sum to the caller. This lambda runs on
      // all the threads at the same time: before several of them write to one shared variable, read
      // "The lost update" in the lesson. Capture what you need ([&x] by reference, [y] by copy).
      static_cast<void>(chunk);  // delete this line once you use `chunk`
    });
  }
  for (sync::thread& w : workers) w.join();

  // TODO(lab): every thread has finished (join() above), so what they computed can be read here safely.
  // Combine it into `total`.
  return total;
}

}  // namespace lab
