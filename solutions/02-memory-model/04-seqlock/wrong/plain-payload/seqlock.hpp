// Lab 02.04 seqlock, WRONG (plain-payload): the counter, the fences and the orders are the final version's, but the
// payload is four plain std::int64_t fields.
//
// Why it looks right: the reader throws away any copy that overlapped a write, so "a torn value is never used"; an
// aligned 8-byte load is indivisible on x86; and it is how seqlocks are written in C and in the kernel. Why it is
// wrong in C++: a plain read that overlaps a plain write of the same variable is a data race, and a data race is
// undefined behaviour whether or not the value is used afterwards. The compiler may assume the fields do not change
// during read() (and, for example, load them again after the check, getting values the check never saw). Hans
// Boehm's "Can Seqlocks Get Along with Programming Language Memory Models?" (MSPC 2012) makes this point: the fields
// must be atomics, loaded and stored relaxed, which on x86 costs nothing. The explorer checks plain accesses for
// data races and reports the first overlapping read (SeqlockTest.AReadDuringAWriteSeesOneWholeQuote,
// SeqlockTest.AReadDuringTwoWritesSeesOneWholeQuote). The fix: sync::atomic<std::int64_t> fields, relaxed.
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
    bid_ = q.bid;  // plain stores: a reader's overlapping load races with them
    ask_ = q.ask;
    bid_size_ = q.bid_size;
    ask_size_ = q.ask_size;
    seq_.store(s + 2, std::memory_order_release);
  }

  Quote read() const {
    for (;;) {
      const std::uint64_t s1 = seq_.load(std::memory_order_acquire);
      Quote q;
      q.bid = bid_;  // BUG: a plain load that may overlap the writer's store: a data race
      q.ask = ask_;
      q.bid_size = bid_size_;
      q.ask_size = ask_size_;
      sync::atomic_thread_fence(std::memory_order_acquire);
      const std::uint64_t s2 = seq_.load(std::memory_order_relaxed);
      if ((s1 & 1) == 0 && s1 == s2) return q;
    }
  }

 private:
  sync::mutex writer_mu_;
  sync::atomic<std::uint64_t> seq_{0};
  std::int64_t bid_ = 0;  // BUG: plain fields, read while a writer may be storing them
  std::int64_t ask_ = 0;
  std::int64_t bid_size_ = 0;
  std::int64_t ask_size_ = 0;
};

}  // namespace lab
