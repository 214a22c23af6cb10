// Lab 02.04 seqlock, WRONG (no-release-fence): write() stores the odd counter and then the payload, all relaxed,
// with no release fence between them; the closing even store is a release store.
//
// Why it looks right: the release store at the end publishes the payload, the way a flag publishes data, and on x86
// stores are never reordered with each other, so the odd value "must" be visible before the payload. Why it is
// wrong: in C++ a relaxed store is ordered with nothing else, so a reader can see a new payload value and still see
// the old, even counter on both loads: the odd store has not reached it. The reader's acquire fence has nothing to
// pair with: it synchronizes with a release fence only if that fence comes before, in the writer, the store the
// reader's payload load read. The explorer lets the reader's second load of the counter read the older value,
// exactly as the model allows (SeqlockTest.AReadDuringAWriteSeesOneWholeQuote,
// SeqlockTest.AReadDuringTwoWritesSeesOneWholeQuote); on x86 it would not happen, on ARM it can.
// The fix: a release fence between the odd store and the payload stores.
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
    // BUG: no release fence here: nothing orders the odd store before the payload stores
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
