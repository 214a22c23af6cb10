// Lab 02.04 seqlock, WRONG (second-load-before-data): read() loads the counter twice, checks it, and only then
// copies the payload.
//
// Why it looks right: "make sure no write is in progress, then copy" is how one would use a lock: check first, act
// after. Why it is wrong: a seqlock is not a lock; nothing stops a writer from starting right after the check. The
// second load must come after the copy, so that it can see a write that began during the copy. Here a write that
// starts between the check and the copy tears the quote, and nothing notices. The explorer runs the writer in that
// gap (SeqlockTest.AReadDuringAWriteSeesOneWholeQuote, SeqlockTest.AReadDuringTwoWritesSeesOneWholeQuote). The fix:
// counter, payload, acquire fence, counter, then the check.
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
    seq_.store(s + 1, std::memory_order_relaxed);
    sync::atomic_thread_fence(std::memory_order_release);
    bid_.store(q.bid, std::memory_order_relaxed);
    ask_.store(q.ask, std::memory_order_relaxed);
    bid_size_.store(q.bid_size, std::memory_order_relaxed);
    ask_size_.store(q.ask_size, std::memory_order_relaxed);
    seq_.store(s + 2, std::memory_order_release);
  }

  Quote read() const {
    for (;;) {
      const std::uint64_t s1 = seq_.load(std::memory_order_acquire);
      const std::uint64_t s2 = seq_.load(std::memory_order_acquire);  // BUG: checked before the copy, not after
      if ((s1 & 1) != 0 || s1 != s2) continue;
      Quote q;
      q.bid = bid_.load(std::memory_order_relaxed);
      q.ask = ask_.load(std::memory_order_relaxed);
      q.bid_size = bid_size_.load(std::memory_order_relaxed);
      q.ask_size = ask_size_.load(std::memory_order_relaxed);
      return q;
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
