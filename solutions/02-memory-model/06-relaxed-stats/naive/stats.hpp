// Lab 02.06 relaxed statistics, NAIVE: plain integers for every counter and for the batch count.
//
// The mistake people really make, and why it looks right: statistics are "only numbers", an off-by-a-few count
// seems harmless, and `++requests_` compiles to one `add` on x86. The maximum is updated with an obvious
// `if (latency > max_) max_ = latency;`, and the publisher writes the summary first and bumps the batch count
// after it, which on x86 even reaches other cores in that order. It all passes a one-thread test.
//
// Why it is wrong: every counter is written by several threads at once with no synchronisation: a data race,
// which is undefined behaviour, not merely a wrong number. In practice `++` is a load, an add and a store, so
// counts are lost; the check-then-store loses a larger maximum; and nothing stops the compiler (or an ARM CPU)
// from making the new batch count visible before the summary it announces. ThreadSanitizer reports the races in
// the concurrent tests; the explorer reports each plain access that races, with both lines, on its first
// schedule.
//
// Lesson: modules/02-memory-model/06-modification-order.md and 07-misconceptions.md ("benign" data races).
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

// NOT thread-safe: every member is a plain variable that several threads read and write (that is the point).
class Stats {
 public:
  static constexpr std::int64_t kMaxBatches = 64;

  void record(std::int64_t bytes, std::int64_t latency_us, bool ok) noexcept {
    ++requests_;  // load, add, store: another thread can interleave between them
    if (!ok) ++errors_;
    bytes_ += bytes;
    if (latency_us > max_latency_) max_latency_ = latency_us;  // check, then act: another thread fits between
  }

  Snapshot snapshot() const noexcept { return Snapshot{requests_, errors_, bytes_, max_latency_}; }

  void publish_batch(const BatchSummary& summary) {
    if (batches_done_ == kMaxBatches) throw std::length_error("Stats::publish_batch: more than kMaxBatches batches");
    slots_[static_cast<std::size_t>(batches_done_)] = summary;
    ++batches_done_;  // "after" the summary in the source; nothing makes another thread see it in that order
  }

  std::int64_t batches_done() const noexcept { return batches_done_; }

  std::optional<Batch> last_batch() const {
    const std::int64_t n = batches_done_;
    if (n == 0) return std::nullopt;
    return Batch{n, slots_[static_cast<std::size_t>(n - 1)]};
  }

 private:
  std::int64_t requests_ = 0;
  std::int64_t errors_ = 0;
  std::int64_t bytes_ = 0;
  std::int64_t max_latency_ = 0;
  std::int64_t batches_done_ = 0;
  std::array<BatchSummary, kMaxBatches> slots_{};
};

}  // namespace lab
