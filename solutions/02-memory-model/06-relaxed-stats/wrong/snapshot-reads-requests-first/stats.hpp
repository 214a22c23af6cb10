// Lab 02.06 relaxed statistics, WRONG (snapshot-reads-requests-first): improved's seq_cst counters, requests_ and
// errors_, with snapshot() reading them in field order: requests first, then errors.
//
// Why it looks right: every operation is seq_cst, the strongest order there is, so "every thread sees one order of
// everything". Why it is wrong: one total order does not make two loads one load. The snapshot reads requests (0),
// then a worker records a failed request (requests 1, errors 1), then the snapshot reads errors (1): a snapshot
// with more errors than requests, and no memory order can prevent it, because nothing stale was read. A snapshot
// of several counters is not a consistent cut. seq_cst makes the OTHER order work: read errors first; an error seen
// then guarantees its request (counted before it) is seen too. The explorer finds the interleaving on every run
// (RelaxedStatsTest.SnapshotNeverShowsMoreErrorsThanRequests). The fix: read errors before requests (improved), or
// count ok and errors and return requests = ok + errors (final), which no reading order can break.
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
    requests_.fetch_add(1);           // the request first ...
    if (!ok) errors_.fetch_add(1);    // ... then its error: snapshot() relies on this order (see there)
    bytes_.fetch_add(bytes);
    std::int64_t seen = max_latency_.load();
    // A failed exchange writes the current maximum into `seen`: the loop ends when ours is no longer larger.
    while (seen < latency_us && !max_latency_.compare_exchange_weak(seen, latency_us)) {
    }
  }

  Snapshot snapshot() const noexcept {
    const std::int64_t requests = requests_.load();  // BUG: a record() can fall between these two loads
    const std::int64_t errors = errors_.load();
    return Snapshot{requests, errors, bytes_.load(), max_latency_.load()};
  }

  void publish_batch(const BatchSummary& summary) {
    const std::int64_t n = batches_done_.load();
    if (n == kMaxBatches) throw std::length_error("Stats::publish_batch: more than kMaxBatches batches");
    slots_[static_cast<std::size_t>(n)] = summary;  // plain: written once, before the store below
    batches_done_.store(n + 1);                     // seq_cst, so release: publishes the slot
  }

  std::int64_t batches_done() const noexcept { return batches_done_.load(); }

  std::optional<Batch> last_batch() const {
    const std::int64_t n = batches_done_.load();  // seq_cst, so acquire: sees the slot written before n was stored
    if (n == 0) return std::nullopt;
    return Batch{n, slots_[static_cast<std::size_t>(n - 1)]};
  }

 private:
  sync::atomic<std::int64_t> requests_{0};
  sync::atomic<std::int64_t> errors_{0};
  sync::atomic<std::int64_t> bytes_{0};
  sync::atomic<std::int64_t> max_latency_{0};
  sync::atomic<std::int64_t> batches_done_{0};    // slots_[0, batches_done_) are published
  std::array<BatchSummary, kMaxBatches> slots_{};  // each written once, before batches_done_ passes it
};

}  // namespace lab
