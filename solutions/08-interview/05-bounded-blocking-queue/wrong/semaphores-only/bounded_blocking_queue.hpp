// Drill 08.05 bounded-blocking-queue, WRONG (semaphores-only): two semaphores around a std::queue, no mutex.
//
// The answer that circulates in public solution sets (LeetCode 1188 in C++, e.g. doocs/leetcode): one semaphore
// counts free slots, one counts items, and "the semaphores already make it thread-safe". Why it looks right: it
// never overfills, never pops an empty queue, and with one producer and one consumer it even works, because a
// std::deque's push_back and pop_front touch different ends. Why it is wrong: the semaphores bound HOW MANY
// threads go on, not WHICH ONE changes the queue. With room for two, two producers both get a slot and run
// push_back at once: two unsynchronised writes to the deque's end pointer, a data race (undefined behaviour: a
// lost or torn item, a corrupted deque). Two consumers race the same way at the front. ThreadSanitizer reports it
// in every test with two producers; the explorer on the first schedule of TwoProducersShareTheQueue.
// (sync::counting_semaphore is std::counting_semaphore outside the sim build.)
// The fix: a mutex around the push and the pop (the final version).
#pragma once

#include <queue>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class BoundedBlockingQueue {
 public:
  BoundedBlockingQueue(int capacity) : slots_(capacity) {}  // NOLINT

  void enqueue(int element) {
    slots_.acquire();
    items_.push(element);  // BUG: two producers that both hold a slot push at the same time
    ready_.release();
  }

  int dequeue() {
    ready_.acquire();
    const int element = items_.front();  // BUG: two consumers that both hold an item pop at the same time
    items_.pop();
    slots_.release();
    return element;
  }

  int size() { return static_cast<int>(items_.size()); }  // BUG: reads while others push and pop

 private:
  sync::counting_semaphore<> slots_;
  sync::counting_semaphore<> ready_{0};
  std::queue<int> items_;
};

}  // namespace lab
