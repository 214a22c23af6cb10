// Lab 02.04: a seqlock. Lesson: modules/02-memory-model/04-fences.md.   Check: ./conclab check 02.04
//
// Make lab::QuoteSeqlock hold one Quote that any thread may write() and any number of threads may read() at the
// same time, where
//
//   - read() returns a Quote that one write() stored whole (or the one the constructor was given): never the
//     bid of one quote with the ask of another (a "torn read");
//   - read() never blocks and never writes shared memory: readers are many and must not slow each other down
//     (no mutex, no counter of readers, no read-modify-write), so a read that overlaps a write tries again;
//   - write() may be called from several threads: writers take turns (a sync::mutex among writers is fine);
//   - a write() that returned before a read() began is seen by it (or a later one is).
//
// The technique is a sequence lock: a counter that a writer makes odd before it changes the payload and even
// again after; a reader loads the counter, copies the payload, loads the counter again, and keeps the copy only
// if the counter was even and had not moved. Two things make it hard in C++ (the lesson explains both):
//   1. the payload words must be atomics (relaxed is fine), because a reader's copy may overlap a write, and an
//      overlapping plain read is a data race, undefined behaviour, even if the reader throws the copy away;
//   2. the orders: start with every operation seq_cst (the default) and pass the tests; then find the weakest
//      orders that are still correct. One of them needs a std::atomic_thread_fence (sync::atomic_thread_fence):
//      no memory order on a load can say "my earlier loads come before this one".
// The graded run builds the tests three ways: normally, with ThreadSanitizer (which cannot judge fences: it
// ignores standalone fences, and it sees no data race between atomics, whatever their order), and under the
// course's explorer, which follows the C++ memory model and tries every schedule of a reader and a writer:
// the explorer is what judges your memory orders. Measure it against a mutex: `./conclab bench 02.04`.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp): sync::mutex
// is std::mutex, sync::atomic is std::atomic, sync::atomic_thread_fence is std::atomic_thread_fence. The one
// difference is in the sim build, where they are instrumented so that the explorer can try every schedule.
#pragma once

#include <cstdint>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// A price quote: four words that belong together. (Do not change it: the tests build and compare Quotes.)
struct Quote {
  std::int64_t bid = 0;
  std::int64_t ask = 0;
  std::int64_t bid_size = 0;
  std::int64_t ask_size = 0;
  friend bool operator==(const Quote&, const Quote&) = default;
};

class QuoteSeqlock {
 public:
  QuoteSeqlock() = default;
  explicit QuoteSeqlock(const Quote& initial) {
    // TODO(lab): start with `initial` as the current quote (initialise your payload words from it).
    (void)initial;
  }
  QuoteSeqlock(const QuoteSeqlock&) = delete;
  QuoteSeqlock& operator=(const QuoteSeqlock&) = delete;

  void write(const Quote& q) {
    // TODO(lab): store q as the current quote. Take the writers' turn first (a sync::lock_guard on a writers'
    // mutex), make the sequence counter odd, store the four words, make the counter even again. Which of these
    // must stay in this order as other threads see it, and what keeps them there?
    (void)q;
  }

  Quote read() const {
    // TODO(lab): return the current quote, whole. Load the counter, load the four words, load the counter again;
    // try again while the first load was odd or the two loads differ. Never lock, never store.
    return Quote{};
  }

 private:
  // TODO(lab): a sync::mutex for the writers, a sync::atomic<std::uint64_t> sequence counter starting at 0, and
  // the payload: four sync::atomic<std::int64_t> (one per field of Quote).
};

}  // namespace lab
