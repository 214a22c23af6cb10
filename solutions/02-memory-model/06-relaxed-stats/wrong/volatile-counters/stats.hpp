// Lab 02.06 relaxed statistics, WRONG (volatile-counters): the hot counters are `volatile std::int64_t`, increased
// with `++` ("volatile makes every access go to memory, so every thread sees the latest value"); the batch count
// is kept correct (release/acquire) to isolate this one bug.
//
// Why it looks right: volatile does stop the compiler from caching the counter in a register or merging the
// increments, and on x86 an aligned 8-byte access is not torn. In Java and C#, volatile even means "atomic and
// ordered". Why it is wrong: in C++ volatile means "this access is observable" (device registers, memory a signal
// handler or setjmp shares), not "shared between threads": `++` on a volatile is still a load, an add and a store,
// two threads doing it at once are still a data race (undefined behaviour), and it orders nothing. ThreadSanitizer
// reports the race in every run of ManyWorkersCountExactly; the explorer on its first schedule (RelaxedStatsTest.
// TwoWorkersCountEveryRequest and every sim test that records on two threads or reads while a worker records).
// The compiler even says something: C++20 deprecated `++` and `+=` on a volatile (P1152), and clang warns
// (-Wdeprecated-volatile) on both lines of record(). The fix: sync::atomic<std::int64_t> and fetch_add(1, relaxed).
// Lesson: modules/02-memory-model/07-misconceptions.md, "volatile makes a variable thread-safe".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::atomic is std::atomic), instrumented in the sim build

// One completed batch, as its publisher summarised it.
struct BatchSummary {
  std::int64_t requests = 0;
  std::int64_t errors = 0;
  std::int64_t bytes = 0;

  BatchSummary() = default;
  BatchSummary(std::int64_t requests_, std::int64_t errors_, std::int64_t bytes_)
      : requests(requests_), errors(errors_), bytes(bytes_) {}
  friend bool operator==(const BatchSummary&, const BatchSummary&) = default;
};

// A published batch: its number (1 for the first one published) and its summary.
struct Batch {
  std::int64_t number = 0;
  BatchSummary summary;
};

// The counters as one reporter read them. Each field was true at some moment, but not necessarily all at the
// same moment: a snapshot is not a consistent cut across the counters. What it does promise: errors <= requests.
struct Snapshot {
  std::int64_t requests = 0;
  std::int64_t errors = 0;
  std::int64_t bytes = 0;
  std::int64_t max_latency_us = 0;
};

// Stats: request statistics that many worker threads update at once, and a log of completed batches.
//  - record() and snapshot() may be called from any number of threads at the same time, lock-free.
//  - After the recording threads are joined, snapshot() is exact: every record() counted once, max_latency_us
//    the largest latency recorded (0 if none).
//  - While workers record, each field of snapshot() never decreases from one call to the next on one thread, and
//    errors <= requests in every snapshot.
//  - publish_batch() is called by one thread (the publisher), at most kMaxBatches times; last_batch() and
//    batches_done() by any number of threads. A reporter that sees batch n sees exactly the summary published as
//    batch n.
class Stats {
 public:
  static constexpr std::int64_t kMaxBatches = 64;

  void record(std::int64_t bytes, std::int64_t latency_us, bool ok) noexcept {
    // volatile: "every access goes to memory, so every thread sees the latest value".
    ++(ok ? ok_ : errors_);  // BUG: a volatile load, add and store: not one operation, and a data race
    bytes_ += bytes;
    if (latency_us > max_latency_) max_latency_ = latency_us;
  }

  Snapshot snapshot() const noexcept {
    // volatile reads: each really loads, but nothing makes a load and another thread's store one ordered pair.
    const std::int64_t errors = errors_;
    const std::int64_t ok = ok_;
    return Snapshot{ok + errors, errors, bytes_, max_latency_};
  }

  void publish_batch(const BatchSummary& summary) {
    // relaxed: pairs with nothing. Only this thread (the one publisher) stores batches_done_, and a thread always
    // reads its own latest store or later (write-read coherence).
    const std::int64_t n = batches_done_.load(std::memory_order_relaxed);
    if (n == kMaxBatches) throw std::length_error("Stats::publish_batch: more than kMaxBatches batches");
    slots_[static_cast<std::size_t>(n)] = summary;  // plain: written once, before the release below
    // release: pairs with the acquire load in last_batch() (and in batches_done()). A reporter whose load reads
    // n + 1 sees the slot written above.
    batches_done_.store(n + 1, std::memory_order_release);
  }

  std::int64_t batches_done() const noexcept {
    // acquire: pairs with the release store in publish_batch(), so a caller may read batch n's data after seeing n.
    return batches_done_.load(std::memory_order_acquire);
  }

  std::optional<Batch> last_batch() const {
    // acquire: pairs with the release store in publish_batch(). Every write the publisher made before storing n,
    // slot n - 1 included, happens-before the read below; the slot is never written again.
    const std::int64_t n = batches_done_.load(std::memory_order_acquire);
    if (n == 0) return std::nullopt;
    return Batch{n, slots_[static_cast<std::size_t>(n - 1)]};
  }

 private:

  // The hot counters: written by every worker on every record(), together on one cache line.
  volatile std::int64_t ok_ = 0;  // BUG: volatile is not atomic, and orders nothing between threads
  volatile std::int64_t errors_ = 0;
  volatile std::int64_t bytes_ = 0;
  volatile std::int64_t max_latency_ = 0;

  // The publication: written by the publisher only, read by reporters; on a line of its own.
  alignas(64) sync::atomic<std::int64_t> batches_done_{0};  // slots_[0, batches_done_) are published
  std::array<BatchSummary, kMaxBatches> slots_{};           // each written once, before batches_done_ passes it
};

}  // namespace lab
