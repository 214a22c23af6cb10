// Lab 02.04 seqlock, WRONG (acquire-load-instead-of-fence): read() makes the second load of the counter an acquire
// load instead of putting an acquire fence before it.
//
// Why it looks right: the reader needs acquire there, and acquire on the operation is what every guide recommends
// over a standalone fence. Why it is wrong: an acquire load orders the loads and stores that come *after* it; the
// payload loads that must be ordered come *before* it. What the reader needs is: "if a payload load read a store of
// a write that has begun, the writer's odd store is visible to my second counter load". That takes the writer's
// release fence synchronizing with an acquire *fence* placed after the payload loads ([atomics.fences]); an acquire
// load of the counter synchronizes only with a release store of the counter, and the odd store is relaxed. It is
// the one place in a seqlock where a fence says what no memory order on an operation can. The explorer lets the
// second load read the older counter (SeqlockTest.AReadDuringAWriteSeesOneWholeQuote,
// SeqlockTest.AReadDuringTwoWritesSeesOneWholeQuote). The fix: atomic_thread_fence(acquire), then a relaxed load.
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
      Quote q;
      q.bid = bid_.load(std::memory_order_relaxed);
      q.ask = ask_.load(std::memory_order_relaxed);
      q.bid_size = bid_size_.load(std::memory_order_relaxed);
      q.ask_size = ask_size_.load(std::memory_order_relaxed);
      const std::uint64_t s2 = seq_.load(std::memory_order_acquire);  // BUG: orders what follows, not what came before
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
