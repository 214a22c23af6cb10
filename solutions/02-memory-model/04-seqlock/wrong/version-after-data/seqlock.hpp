// Lab 02.04 seqlock, WRONG (version-after-data): the counter is a version number: write() stores the payload and
// then increments the version once, with release; read() keeps its copy if the version did not change.
//
// Why it looks right: it is how optimistic concurrency works in databases: read the version, read the row, read the
// version again; if it did not change, nobody wrote. The release and acquire fences are all in place. Why it is
// wrong: the version changes only when a write *ends*. A reader that copies while a write is in progress loads the
// old version before and after (the writer has not got to its increment yet) and keeps a payload that is half new.
// The counter must change when a write *begins* too: odd while a write is in progress. The explorer runs the reader
// inside a write (SeqlockTest.AReadDuringAWriteSeesOneWholeQuote, SeqlockTest.AReadDuringTwoWritesSeesOneWholeQuote).
// The fix: an odd store (and a release fence) before the payload, an even one after, and readers that retry on odd.
#pragma once

#include <cstdint>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

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
  explicit QuoteSeqlock(const Quote& initial)
      : bid_(initial.bid), ask_(initial.ask), bid_size_(initial.bid_size), ask_size_(initial.ask_size) {}
  QuoteSeqlock(const QuoteSeqlock&) = delete;
  QuoteSeqlock& operator=(const QuoteSeqlock&) = delete;

  void write(const Quote& q) {
    sync::lock_guard lock(writer_mu_);
    const std::uint64_t s = seq_.load(std::memory_order_relaxed);
    bid_.store(q.bid, std::memory_order_relaxed);
    ask_.store(q.ask, std::memory_order_relaxed);
    bid_size_.store(q.bid_size, std::memory_order_relaxed);
    ask_size_.store(q.ask_size, std::memory_order_relaxed);
    seq_.store(s + 1, std::memory_order_release);  // BUG: the only change comes after the payload
  }

  Quote read() const {
    for (;;) {
      const std::uint64_t s1 = seq_.load(std::memory_order_acquire);
      Quote q;
      q.bid = bid_.load(std::memory_order_relaxed);
      q.ask = ask_.load(std::memory_order_relaxed);
      q.bid_size = bid_size_.load(std::memory_order_relaxed);
      q.ask_size = ask_size_.load(std::memory_order_relaxed);
      sync::atomic_thread_fence(std::memory_order_acquire);
      const std::uint64_t s2 = seq_.load(std::memory_order_relaxed);
      if (s1 == s2) return q;  // the version never shows a write in progress
    }
  }

 private:
  sync::mutex writer_mu_;
  sync::atomic<std::uint64_t> seq_{0};
  sync::atomic<std::int64_t> bid_{0};
  sync::atomic<std::int64_t> ask_{0};
  sync::atomic<std::int64_t> bid_size_{0};
  sync::atomic<std::int64_t> ask_size_{0};
};

}  // namespace lab
