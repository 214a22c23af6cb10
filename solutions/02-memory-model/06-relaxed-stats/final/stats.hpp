// Lab 02.06 relaxed statistics, FINAL: relaxed for every hot counter, release/acquire for the one counter that
// another thread uses to read other data, and a compare_exchange_weak loop for the maximum.
//
// What changed from improved, and why:
//  - The hot counters are relaxed. A counter needs atomicity (fetch_add is one indivisible read-modify-write,
//    whatever its order) and coherence (one modification order per variable, which every thread reads forwards
//    only). Both come with every memory order, relaxed included; what seq_cst adds is ordering against OTHER
//    variables, and nothing is read because of a counter's value. The totals after join() are exact because
//    join() orders the whole thread before the caller's reads, not because of the counters' order.
//  - Requests are counted as ok_ + errors_ instead of requests_ and errors_: each request bumps exactly one of
//    the two, so a snapshot's errors can never exceed its requests, whatever order the reporter reads them in
//    and however stale either read is. improved kept that invariant with seq_cst and a careful read order
//    (errors first); here the API makes it impossible to break, and the hot path does one counting RMW per
//    request instead of two.
//  - batches_done_ is the counter that needs ordering: the reporter reads slots_[n - 1] BECAUSE it saw n. Its
//    store is release and its load acquire, and each names its pair. Relaxed there is a data race on the slot.
//  - The publication state sits on its own cache line (alignas(64)), away from the counters every worker writes:
//    a reporter polling batches_done_ should not pull the workers' hot line to its core at every poll. The hot
//    counters share one line with each other: every worker writes all of them, so splitting them would only make
//    each record() touch four lines instead of one, and the benchmark (BM_FourCounters, one line against padded)
//    showed no difference beyond this machine's noise (modules/02-memory-model/06-modification-order.md).
//
// On x86 this changes almost nothing in the machine code: a relaxed fetch_add and a seq_cst one are the same
// `lock xadd`, and a release store and an acquire load are plain movs. What changes is what the compiler may
// move around them, and on ARM or POWER the barriers the CPU executes.
//
// What an expert would still do differently in production: with many cores all writing one line, increments
// stop scaling (the line moves between cores on every record()). A statistics object that must scale gives each
// thread (or each core) its own padded shard of counters, incremented relaxed, and sums the shards on read
// (the benchmark's BM_ShardedCounter); the max becomes a max over the shards. The publication would hand out
// a shared_ptr to an immutable summary (or use a seqlock, lab 02.04) instead of a fixed array of slots, so
// that batches are not limited to kMaxBatches.
//
// Lesson: modules/02-memory-model/06-modification-order.md.
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
    std::int64_t seen = max_latency_.load(std::memory_order_relaxed);
    while (seen < latency_us &&
           !max_latency_.compare_exchange_weak(seen, latency_us, std::memory_order_relaxed)) {
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
