// Lab 02.04 seqlock, WRONG (first-load-relaxed): read() loads the counter relaxed both times, with the acquire fence
// after the payload loads: "the fence does the acquiring for the whole read".
//
// Why it looks right: the acquire fence is there, in the right place, and fences are stronger than orders on single
// operations. Why it is wrong: a fence orders only across itself. The writer's release store of the even counter
// pairs with an acquire that comes *after* the load that read it, and before the accesses it must order: here the
// first thing after the relaxed load of s1 that acquires is the fence, and the payload loads come before it. So a
// reader that loads the new even counter may still read old payload words, and the second load sees the same even
// counter: a torn quote. The explorer lets a payload load read the older value
// (SeqlockTest.AReadDuringAWriteSeesOneWholeQuote, SeqlockTest.AReadDuringTwoWritesSeesOneWholeQuote). The fix: the
// first load with memory_order_acquire (or an acquire fence right after it as well).
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
      const std::uint64_t s1 = seq_.load(std::memory_order_relaxed);  // BUG: nothing acquires before the payload loads
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
