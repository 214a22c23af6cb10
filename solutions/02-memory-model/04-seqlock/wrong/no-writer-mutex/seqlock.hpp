// Lab 02.04 seqlock, WRONG (no-writer-mutex): the reader and the writer are the final version's, but write() takes
// no lock: "readers never lock, and writers are rare".
//
// Why it looks right: the orders are all correct, and with a single writer thread it is correct (the Linux kernel's
// seqcount_t has no lock either: its users must serialize writers themselves). Why it is wrong: this class lets
// several threads write. Two writers load the same counter, or one loads the other's odd value; their odd and even
// stores interleave, their payload stores interleave, and the quote left behind is half one and half the other with
// an even counter (or the counter is left odd and every read() spins forever). The explorer runs two writers
// (SeqlockTest.TwoWritersTakeTurns). The fix: a sync::mutex held for the whole of write() (readers never take it).
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
    // BUG: no lock: two writers move the counter and the payload at the same time
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
      sync::atomic_thread_fence(std::memory_order_acquire);
      const std::uint64_t s2 = seq_.load(std::memory_order_relaxed);
      if ((s1 & 1) == 0 && s1 == s2) return q;
    }
  }

 private:
  sync::atomic<std::uint64_t> seq_{0};
  sync::atomic<std::int64_t> bid_{0};
  sync::atomic<std::int64_t> ask_{0};
  sync::atomic<std::int64_t> bid_size_{0};
  sync::atomic<std::int64_t> ask_size_{0};
};

}  // namespace lab
