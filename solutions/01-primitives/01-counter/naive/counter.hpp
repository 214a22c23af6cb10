// Lab 01.01 counter, NAIVE: a plain integer, incremented with no synchronisation.
//
// The mistake people really make, and why it looks right: `++count_` is one statement and, on x86,
// even compiles to one `add` instruction, so it looks indivisible. It is not. Without a lock or an
// atomic the compiler may keep the count in a register and store it later, and even a single
// `add [mem], 1` is a read, an add and a write that another core can interleave with. Two threads
// load the same old value, both store old + 1, and one increment is lost. Worse, two threads writing
// the same non-atomic variable is a data race: undefined behaviour, not just a wrong number.
//
// It often passes a quick test (one thread, or threads that happen not to overlap), which is why
// ThreadSanitizer is part of the graded run: it reports the race in every concurrent test, whether
// or not an increment was lost that time.
//
// Lesson: modules/01-primitives/01-mutexes-and-locks.md.
#pragma once

#include <cstdint>

namespace lab {

// NOT thread-safe: concurrent increment() calls race on count_ (that is the point of this version).
class Counter {
 public:
  void increment() { ++count_; }  // load, add, store: another thread can interleave between them
  std::int64_t value() const { return count_; }

 private:
  std::int64_t count_ = 0;  // shared, and guarded by nothing
};

}  // namespace lab
