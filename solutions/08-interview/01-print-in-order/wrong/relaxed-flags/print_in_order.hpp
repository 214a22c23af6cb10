// Drill 08.01, WRONG: the flags are atomics (no data race on them), spun on with memory_order_relaxed: "a flag
// orders nothing, relaxed is enough".
//
// Why it looks right: the words come out in order on every run: second() does not go on until it reads true, and
// on x86 every load acquires anyway. Why it is wrong: relaxed makes the flag itself race-free and nothing else.
// Reading true does not synchronise with the store, so what printFirst() wrote (the output buffer) is not
// guaranteed to be visible to printSecond(): the two callbacks' writes are a data race, and on ARM or POWER
// printSecond() may see the buffer as it was before printFirst(). The store must be a release (it publishes
// what came before) and the load an acquire (it receives it).
// Caught: the explorer follows the C++ memory model, not x86's: the callbacks' plain writes are a data race on
// every schedule of every sim test. ThreadSanitizer knows relaxed atomics order nothing too, and reports it in
// most runs (19 of 20 with scripts/stress-lab.sh --repeat 20: it keeps only a few recent accesses per word).
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Foo {
 public:
  void first(std::function<void()> printFirst) {
    printFirst();
    first_done_.store(true, std::memory_order_relaxed);  // BUG: relaxed publishes nothing (needs release)
  }

  void second(std::function<void()> printSecond) {
    while (!first_done_.load(std::memory_order_relaxed)) sync::this_thread::yield();  // BUG: needs acquire
    printSecond();
    second_done_.store(true, std::memory_order_relaxed);
  }

  void third(std::function<void()> printThird) {
    while (!second_done_.load(std::memory_order_relaxed)) sync::this_thread::yield();
    printThird();
  }

 private:
  sync::atomic<bool> first_done_{false};
  sync::atomic<bool> second_done_{false};
};

}  // namespace lab
