// Lab 02.04 seqlock, WRONG (closing-store-relaxed): write() has the release fence after the odd store, and makes
// the counter even again with a relaxed store.
//
// Why it looks right: the fence is already in write(), and it is a release fence: "everything is released". Why it
// is wrong: a release fence releases what comes *before* it, to a reader that reads a store made *after* it. The
// payload stores come after the fence, so nothing releases them: a reader that loads the new even counter with
// acquire synchronizes with nothing later than the fence, and its payload loads may still read the old values,
// some of them: a torn quote with an even, unchanged counter. The explorer lets the reader's payload load read the
// older value (SeqlockTest.AReadDuringAWriteSeesOneWholeQuote, SeqlockTest.AReadDuringTwoWritesSeesOneWholeQuote).
// The fix: the even store with memory_order_release, paired with the acquire load of s1.
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
    seq_.store(s + 2, std::memory_order_relaxed);  // BUG: releases nothing stored after the fence above
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
      if ((s1 & 1) == 0 && s1 == s2) return q;
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
