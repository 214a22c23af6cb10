// Lab 02.06 relaxed statistics, WRONG (plain-shards): the counters are sharded, one padded shard per thread, as the
// final version's comment suggests for speed; each thread claims a shard with an atomic compare-exchange and then
// counts into it with plain `++`, "because only the owner writes its shard". snapshot() sums the shards.
//
// Why it looks right: no two threads ever write the same shard, so no count is lost; after the workers are joined
// the sums are exact (join orders everything), and the hot path has no atomic read-modify-write at all, which is
// what makes it fast. Why it is wrong: snapshot() READS every shard while its owner may be writing it. A read and
// a write of one plain variable by two threads, unordered, is a data race even with a single writer: undefined
// behaviour, and in practice the compiler may keep the owner's count in a register, or a reader see a torn value.
// ThreadSanitizer reports it in some runs only (it missed this read-write race in many runs here), the explorer
// on every run in the sim tests that take a snapshot while a worker records. The fix: make each shard's fields
// sync::atomic<std::int64_t>; the owner may even update them with a relaxed load and store (it is the only
// writer), and readers load them relaxed.
#pragma once

#include <array>
#include <cstdint>
#include <exception>
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
    // plain: "only this thread writes its own shard, so nothing can be lost" (true, and not enough).
    Shard& s = my_shard();
    ++(ok ? s.ok : s.errors);  // BUG: plain, and snapshot() reads it at the same time
    s.bytes += bytes;
    if (latency_us > s.max_latency) s.max_latency = latency_us;
  }

  Snapshot snapshot() const noexcept {
    // plain sums: "a reader never writes, so reading cannot race" (it can: a read and a write race too).
    Snapshot out;
    for (const Shard& s : shards_) {  // BUG: plain reads of fields their owners are writing
      out.requests += s.ok + s.errors;
      out.errors += s.errors;
      out.bytes += s.bytes;
      if (s.max_latency > out.max_latency_us) out.max_latency_us = s.max_latency;
    }
    return out;
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
  using ThreadId = decltype(sync::this_thread::get_id());
  struct alignas(64) Shard {
    sync::atomic<ThreadId> owner{ThreadId{}};  // claimed once, by a compare-exchange from "nobody"
    std::int64_t ok = 0;                        // written by the owner only ...
    std::int64_t errors = 0;                    // ... and read by snapshot() at any time
    std::int64_t bytes = 0;
    std::int64_t max_latency = 0;
  };
  static constexpr int kShards = 16;

  // The calling thread's shard: the one it owns, or the first free one, claimed.
  Shard& my_shard() noexcept {
    const ThreadId me = sync::this_thread::get_id();
    for (Shard& s : shards_) {
      // acquire: pairs with the acq_rel claim below (a shard this thread claimed earlier is its own).
      ThreadId owner = s.owner.load(std::memory_order_acquire);
      if (owner == me) return s;
      // acq_rel: pairs with the acquire load above in a later call, and orders the claim before the counting.
      if (owner == ThreadId{} && s.owner.compare_exchange_strong(owner, me, std::memory_order_acq_rel)) return s;
    }
    std::terminate();  // more than kShards threads: this variant does not handle it
  }

  // The hot counters: written by every worker on every record(), together on one cache line.
  std::array<Shard, kShards> shards_{};

  // The publication: written by the publisher only, read by reporters; on a line of its own.
  alignas(64) sync::atomic<std::int64_t> batches_done_{0};  // slots_[0, batches_done_) are published
  std::array<BatchSummary, kMaxBatches> slots_{};           // each written once, before batches_done_ passes it
};

}  // namespace lab
