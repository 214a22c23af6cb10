// Lab 02.04 seqlock, FINAL: the same protocol as improved, with the weakest orders that are still correct, and
// two standalone fences where no order on an operation can say what is needed.
//
// What changed from improved, and why: improved makes every access seq_cst. That is correct, but it asks for
// more than the protocol needs: one total order over every operation, which costs a full barrier (`xchg` on
// x86) for each of the writer's six stores, and on ARM a load-acquire for each of the reader's six loads.
// The protocol needs exactly four orderings (Boehm, "Can Seqlocks Get Along with Programming Language Memory
// Models?", MSPC 2012, gives the same answer):
//   writer: (1) the odd store is ordered before every payload store  -> a release fence between them;
//           (2) every payload store is ordered before the even store -> the even store is a release store;
//   reader: (3) the first load of seq_ is ordered before the payload loads -> an acquire load;
//           (4) the payload loads are ordered before the second load of seq_ -> an acquire fence between them.
// (4) is the one place where only a fence will do: an acquire *load* orders what comes after it, and here the
// loads to be ordered come before; "release" is for stores, and the second load of seq_ is not a store.
// Each order below names its pair. The explorer checks each one: take any of the four away and a sim test
// fails (wrong/no-release-fence, wrong/closing-store-relaxed, wrong/first-load-relaxed, wrong/no-acquire-fence,
// wrong/acquire-load-instead-of-fence and wrong/acquire-fence-before-data show the schedules).
//
// On x86 this is as cheap as a seqlock gets: every load and store is a plain `mov`, and the two fences compile
// to no instruction at all (they only stop the compiler from moving loads and stores across them).
//
// What an expert would still do differently in production: pad seq_ and the payload onto their own cache line
// (alignas(64)) so that nothing else written nearby bounces it between cores; make the payload generic (a
// template over a trivially copyable T, copied word by word through relaxed atomics as here; the proposal
// P1478, "Byte-wise atomic memcpy", would give that a standard name); give read() a bounded number
// of attempts and a fallback for the rare reader that a writer storm starves; and, for a payload that changes
// rarely, compare with RCU or an atomic shared pointer, where readers never retry. The Linux kernel's
// seqcount_t and seqlock_t (include/linux/seqlock.h) are the prior art this follows.
//
// Lesson: modules/02-memory-model/04-fences.md.
#pragma once

#include <cstdint>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::atomic is std::atomic), instrumented in the sim build

// A price quote: four words that belong together. A reader must never see the bid of one quote with the ask of
// another.
struct Quote {
  std::int64_t bid = 0;
  std::int64_t ask = 0;
  std::int64_t bid_size = 0;
  std::int64_t ask_size = 0;
  friend bool operator==(const Quote&, const Quote&) = default;
};

// QuoteSeqlock: one Quote, written by any thread and read by any number of threads at once.
//   - write() may be called from several threads; writers take turns on writer_mu_. A write never waits for
//     readers.
//   - read() returns a Quote that was written whole by one write() (or the initial one), never a mix of two;
//     a read that overlaps a write retries. Readers never write shared memory and never block; a reader can
//     only be delayed, by writes that keep overlapping it.
//   - Happens-before: a write() that returns before a read() starts is seen by it (or a later one is); two
//     reads by one thread never go back to an older quote.
class QuoteSeqlock {
 public:
  QuoteSeqlock() = default;
  explicit QuoteSeqlock(const Quote& initial)
      : bid_(initial.bid), ask_(initial.ask), bid_size_(initial.bid_size), ask_size_(initial.ask_size) {}
  QuoteSeqlock(const QuoteSeqlock&) = delete;
  QuoteSeqlock& operator=(const QuoteSeqlock&) = delete;

  void write(const Quote& q) {
    sync::lock_guard lock(writer_mu_);  // writers one at a time: the counter is theirs to move
    // relaxed: pairs with nothing; the last writer's even store happens-before this load through writer_mu_.
    const std::uint64_t s = seq_.load(std::memory_order_relaxed);
    // relaxed: its ordering before the payload stores comes from the release fence right below.
    seq_.store(s + 1, std::memory_order_relaxed);  // odd: a write is in progress
    // release fence: pairs with the acquire fence in read(). A reader whose payload load reads one of the
    // stores below synchronizes with this fence, so the odd store above happens-before its second load of
    // seq_, which therefore sees s + 1 or later, and the reader retries.
    sync::atomic_thread_fence(std::memory_order_release);
    // relaxed: ordered by the fence above and the release store below; atomic so that a reader's overlapping
    // load is not a data race (a plain field would be undefined behaviour, even though the reader discards it).
    bid_.store(q.bid, std::memory_order_relaxed);
    ask_.store(q.ask, std::memory_order_relaxed);
    bid_size_.store(q.bid_size, std::memory_order_relaxed);
    ask_size_.store(q.ask_size, std::memory_order_relaxed);
    // release: pairs with the acquire load of s1 in read(). A reader that loads s + 2 sees all four payload
    // stores above (or later ones), never older values.
    seq_.store(s + 2, std::memory_order_release);  // even again: the quote is whole
  }

  Quote read() const {
    for (;;) {
      // acquire: pairs with the release store of the even value in write(): the payload loads below see at
      // least what that write() stored.
      const std::uint64_t s1 = seq_.load(std::memory_order_acquire);
      Quote q;
      // relaxed: a load may read a write in progress; the check below throws such a read away.
      q.bid = bid_.load(std::memory_order_relaxed);
      q.ask = ask_.load(std::memory_order_relaxed);
      q.bid_size = bid_size_.load(std::memory_order_relaxed);
      q.ask_size = ask_size_.load(std::memory_order_relaxed);
      // acquire fence: pairs with the release fence in write(). If any load above read a store of a write
      // that began after s1, that write's odd store happens-before the load of s2 below, so s2 != s1.
      sync::atomic_thread_fence(std::memory_order_acquire);
      // relaxed: ordered after the payload loads by the fence above.
      const std::uint64_t s2 = seq_.load(std::memory_order_relaxed);
      if ((s1 & 1) == 0 && s1 == s2) return q;  // no write was in progress, and none began: q is whole
    }
  }

 private:
  sync::mutex writer_mu_;  // guards the writers' turn; readers never touch it
  sync::atomic<std::uint64_t> seq_{0};  // even: the quote is whole; odd: a write is in progress
  // The payload: written only by the writer holding writer_mu_, read by anyone and checked through seq_.
  sync::atomic<std::int64_t> bid_{0};
  sync::atomic<std::int64_t> ask_{0};
  sync::atomic<std::int64_t> bid_size_{0};
  sync::atomic<std::int64_t> ask_size_{0};
  static_assert(sync::atomic<std::int64_t>::is_always_lock_free, "the payload words should not hide a lock");
};

}  // namespace lab
