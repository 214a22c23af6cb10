// Lab 02.04 seqlock, NAIVE: the quote is four plain fields; write() assigns them and read() copies them, no lock.
//
// The mistake people really make, and why it looks right: a Quote is 32 bytes, copied in a handful of
// instructions; readers are many and a lock would make them queue; and on x86 each aligned 8-byte load and store
// is indivisible anyway, so "the worst a reader can see is a slightly old quote". That last step is the error.
// Each *word* is indivisible; the quote is four words. A reader that copies while a writer assigns gets the bid
// of the new quote with the ask of the old one: a torn read, a quote nobody ever wrote (here, possibly a bid
// above the ask). And the overlapping plain accesses are a data race, so the program is undefined: the compiler
// may assume no other thread writes the fields while read() runs, and cache or re-read them as it likes.
//
// It passes every single-threaded test, and usually a stress test too: the window is a few nanoseconds. The
// explorer reports the data race on its first schedule, and ThreadSanitizer in the test with readers and a
// writer on real threads.
//
// Lesson: modules/02-memory-model/04-fences.md.
#pragma once

#include <cstdint>

namespace lab {

// A price quote: four words that belong together.
struct Quote {
  std::int64_t bid = 0;
  std::int64_t ask = 0;
  std::int64_t bid_size = 0;
  std::int64_t ask_size = 0;
  friend bool operator==(const Quote&, const Quote&) = default;
};

// NOT thread-safe: a read() during a write() races on the fields and may return a mix of two quotes (that is
// the point of this version).
class QuoteSeqlock {
 public:
  QuoteSeqlock() = default;
  explicit QuoteSeqlock(const Quote& initial)
      : bid_(initial.bid), ask_(initial.ask), bid_size_(initial.bid_size), ask_size_(initial.ask_size) {}
  QuoteSeqlock(const QuoteSeqlock&) = delete;
  QuoteSeqlock& operator=(const QuoteSeqlock&) = delete;

  void write(const Quote& q) {  // four stores, one after another
    bid_ = q.bid;
    ask_ = q.ask;
    bid_size_ = q.bid_size;
    ask_size_ = q.ask_size;
  }

  Quote read() const {  // four loads: a write may land between any two of them
    return Quote{bid_, ask_, bid_size_, ask_size_};
  }

 private:
  // Shared, and guarded by nothing.
  std::int64_t bid_ = 0;
  std::int64_t ask_ = 0;
  std::int64_t bid_size_ = 0;
  std::int64_t ask_size_ = 0;
};

}  // namespace lab
