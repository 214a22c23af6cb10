// Lab 02.06 relaxed statistics, WRONG (relaxed-errors-first): counters requests_ and errors_, all relaxed; record()
// counts the request before its error, and snapshot() reads errors first, then requests, as improved does.
//
// Why it looks right: it is improved with relaxed orders, and the read order is the one that works. On x86 it even
// works: stores become visible in program order and loads are not reordered with loads. Why it is wrong: improved's
// argument was seq_cst's single total order. With relaxed, seeing the error tells the reporter nothing about any
// other variable: the request's increment does not happen-before the reporter's load of requests_, so that load may
// return a value older than the request (the message-passing shape: relaxed lets the reader see the flag and miss
// the data). The explorer lets the load of requests_ read the stale 0 and finds errors 1, requests 0 on every run
// (RelaxedStatsTest.SnapshotNeverShowsMoreErrorsThanRequests). The fix: count ok and errors and return
// requests = ok + errors (final), or make the error increment release and its load in snapshot() acquire.
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
    requests_.fetch_add(1, std::memory_order_relaxed);             // the request first ...
    if (!ok) errors_.fetch_add(1, std::memory_order_relaxed);      // ... then its error
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
    raise_max(latency_us);
  }

  Snapshot snapshot() const noexcept {
    // relaxed (all four): pairs with nothing ("a counter needs no ordering"). Errors first, so that the requests
    // read after them include theirs: the argument improved makes with seq_cst.
    const std::int64_t errors = errors_.load(std::memory_order_relaxed);  // errors first ...
    // BUG: ... but a relaxed load acquires nothing: this one may still return a count older than those errors.
    const std::int64_t requests = requests_.load(std::memory_order_relaxed);
    return Snapshot{requests, errors, bytes_.load(std::memory_order_relaxed),
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
  sync::atomic<std::int64_t> requests_{0};
  sync::atomic<std::int64_t> errors_{0};
  sync::atomic<std::int64_t> bytes_{0};
  sync::atomic<std::int64_t> max_latency_{0};

  // The publication: written by the publisher only, read by reporters; on a line of its own.
  alignas(64) sync::atomic<std::int64_t> batches_done_{0};  // slots_[0, batches_done_) are published
  std::array<BatchSummary, kMaxBatches> slots_{};           // each written once, before batches_done_ passes it
};

}  // namespace lab
