// Lab 02.06 relaxed statistics, WRONG (max-check-then-store): the maximum latency is raised with
// `if (latency_us > max_latency_.load(relaxed)) max_latency_.store(latency_us, relaxed);`.
//
// Why it looks right: both accesses are atomic (no data race for ThreadSanitizer), the check reads the current
// maximum, and on one thread it is obviously right. Why it is wrong: the check and the store are two operations.
// Two workers with 5 and 7 both check against 3, the 7 is stored, then the 5 overwrites it: the gauge went DOWN
// and the largest latency ever recorded is lost. A stress test sees it only if a thread is switched out between
// the two lines; the explorer tries that on every run (RelaxedStatsTest.MaxLatencyKeepsTheLargest).
// The fix: a compare_exchange_weak loop that stores only over the value it checked, and decides again with the
// value a failed exchange writes back (final's raise_max()).
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
    // relaxed (all three): pairs with nothing. Atomicity alone counts every request once; nobody reads other
    // data because of these values, and the exact totals are ordered after the workers by join().
    (ok ? ok_ : errors_).fetch_add(1, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
    raise_max(latency_us);
  }

  Snapshot snapshot() const noexcept {
    // relaxed (all four): pairs with nothing. Each load reads some value in its counter's modification order, and
    // a later load on this thread never reads an earlier one (read-read coherence): no field goes backwards.
    // requests is ok + errors, so errors <= requests whatever either load reads.
    const std::int64_t errors = errors_.load(std::memory_order_relaxed);
    const std::int64_t ok = ok_.load(std::memory_order_relaxed);
    return Snapshot{ok + errors, errors, bytes_.load(std::memory_order_relaxed),
                    max_latency_.load(std::memory_order_relaxed)};
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
  void raise_max(std::int64_t latency_us) noexcept {
    // relaxed: pairs with nothing (the maximum orders nothing; see record()). compare_exchange_weak writes the
    // current value into `seen` when it fails, so every round decides again with the newest value: a thread
    // that raised the maximum meanwhile above latency_us ends the loop, and a spurious failure just retries.
    if (latency_us > max_latency_.load(std::memory_order_relaxed)) {  // BUG: check ...
      max_latency_.store(latency_us, std::memory_order_relaxed);      // ... then act: another store fits between
    }
  }

  // The hot counters: written by every worker on every record(), together on one cache line.
  sync::atomic<std::int64_t> ok_{0};      // requests that succeeded
  sync::atomic<std::int64_t> errors_{0};  // requests that failed
  sync::atomic<std::int64_t> bytes_{0};
  sync::atomic<std::int64_t> max_latency_{0};
  static_assert(sync::atomic<std::int64_t>::is_always_lock_free, "the counters should not hide a lock");

  // The publication: written by the publisher only, read by reporters; on a line of its own.
  alignas(64) sync::atomic<std::int64_t> batches_done_{0};  // slots_[0, batches_done_) are published
  std::array<BatchSummary, kMaxBatches> slots_{};           // each written once, before batches_done_ passes it
};

}  // namespace lab
