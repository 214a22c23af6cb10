// Lab 02.06 relaxed statistics, IMPROVED: every counter a sync::atomic, every operation seq_cst (the default).
//
// What changed from naive, and why: naive's plain integers were data races (undefined behaviour, lost counts,
// and a reporter that could read a batch's slot before the publisher had finished writing it). Now:
//  - every counter is a sync::atomic and every increment one fetch_add, an indivisible read-modify-write, so no
//    request is lost;
//  - the maximum is raised with a compare_exchange_weak loop that decides again after every failed exchange,
//    instead of naive's check-then-store, which let a smaller latency overwrite a larger one;
//  - batches_done_ is atomic and seq_cst, which includes release on the store and acquire on the load: a reporter
//    that reads n sees slot n - 1, written before the store;
//  - snapshot() reads errors_ BEFORE requests_. record() adds the request before the error, and seq_cst puts all
//    four operations in one total order that every thread agrees on: a reporter that has seen an error then sees
//    the request counted before it. Read the other way round, a record() can fall between the two loads
//    (requests 0, then errors 1): see wrong/snapshot-reads-requests-first.
//
// Correct, and simple to reason about: nothing is relaxed, so there is nothing to justify. The price is small
// on x86 (a seq_cst fetch_add is the same `lock xadd` as a relaxed one; only the seq_cst store costs an xchg)
// and larger on ARM or POWER, where seq_cst adds barriers. The final version keeps seq_cst's guarantees where
// they are used and drops them where nothing reads them.
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
    requests_.fetch_add(1);           // the request first ...
    if (!ok) errors_.fetch_add(1);    // ... then its error: snapshot() relies on this order (see there)
    bytes_.fetch_add(bytes);
    std::int64_t seen = max_latency_.load();
    // A failed exchange writes the current maximum into `seen`: the loop ends when ours is no longer larger.
    while (seen < latency_us && !max_latency_.compare_exchange_weak(seen, latency_us)) {
    }
  }

  Snapshot snapshot() const noexcept {
    // errors first: if this load sees an error, the request counted before it precedes it in the single seq_cst
    // order, and so does this load of errors_, so the load of requests_ below sees that request too.
    const std::int64_t errors = errors_.load();
    const std::int64_t requests = requests_.load();
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
