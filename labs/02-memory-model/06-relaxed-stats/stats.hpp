// Lab 02.06: relaxed statistics. Counters that need no ordering, and the one that does.
// Lessons: modules/02-memory-model/06-modification-order.md, then 07-misconceptions.md.
// Check: ./conclab check 02.06      Explore: ./conclab explore 02.06      Measure: ./conclab bench 02.06
//
// Make lab::Stats count requests from many worker threads at once, and publish completed batches to reporters.
//
//   - record(bytes, latency_us, ok) is the hot path: any number of worker threads call it at the same time.
//     After they are joined, snapshot() must be exact: every request counted once, every failed one among the
//     errors, the bytes summed, and max_latency_us the largest latency ever recorded.
//   - snapshot() may run while workers record. Each field must never go backwards between two snapshots taken by
//     one thread, and no snapshot may show more errors than requests.
//   - publish_batch(summary) is called by one publisher thread; last_batch() by any reporter thread, at any time.
//     A reporter that sees batch n (batches_done() == n) must see exactly the summary published as batch n.
//
// The point of the lab is the memory order of each operation. Make it correct first (sync::atomic with the
// default order, seq_cst, everywhere), then ask of each atomic: does any thread read OTHER data because of the
// value it read here? If not, memory_order_relaxed is enough, and say why in a comment. If so, that store must be
// release and that load acquire, and each comment names its pair ("release: pairs with the acquire in ...").
// The graded run tests your code under the explorer, which tries every interleaving of two threads and every
// stale value the C++ memory model lets a relaxed or acquire load return: x86 hides a missing acquire/release,
// the explorer does not.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp): sync::atomic is
// std::atomic, and so on; in the sim build they are instrumented so that the explorer can run every schedule.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

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

// The counters as one reporter read them.
struct Snapshot {
  std::int64_t requests = 0;
  std::int64_t errors = 0;
  std::int64_t bytes = 0;
  std::int64_t max_latency_us = 0;
};

class Stats {
 public:
  static constexpr std::int64_t kMaxBatches = 64;

  void record(std::int64_t bytes, std::int64_t latency_us, bool ok) noexcept {
    // TODO(lab): count one request (and one error when !ok), add its bytes, and raise the maximum latency to
    // latency_us if it is larger. Many threads run this at once: each count must be one indivisible
    // read-modify-write (fetch_add), and "raise to the maximum" a compare_exchange_weak loop that decides again
    // with the value a failed exchange hands back. Which memory order does a counter need?
    (void)bytes;
    (void)latency_us;
    (void)ok;
  }

  Snapshot snapshot() const noexcept {
    // TODO(lab): read the counters. Workers may be recording meanwhile: a snapshot reads the counters one after
    // another, so a record() can fall between two of the reads. Make sure that cannot show errors > requests
    // (by the order you read them in and the orders you use, or by what you count).
    return Snapshot{};
  }

  void publish_batch(const BatchSummary& summary) {
    // TODO(lab): store `summary` as batch number batches_done() + 1 (throw std::length_error if kMaxBatches are
    // already published), then make it visible. A reporter reads the summary BECAUSE it saw the new count:
    // which order must the count's store have, and must it come before or after the summary is written?
    (void)summary;
  }

  std::int64_t batches_done() const noexcept {
    // TODO(lab): how many batches are published. A caller may read a batch's data after seeing this count.
    return 0;
  }

  std::optional<Batch> last_batch() const {
    // TODO(lab): the batch published last, with its number and summary, or nullopt if none is published yet.
    // Load the count with the order that pairs with the store in publish_batch().
    return std::nullopt;
  }

 private:
  // TODO(lab): the counters (sync::atomic<std::int64_t>), the count of published batches, and the summaries:
  // std::array<BatchSummary, kMaxBatches>, each slot written once by the publisher before the count passes it.
};

}  // namespace lab
