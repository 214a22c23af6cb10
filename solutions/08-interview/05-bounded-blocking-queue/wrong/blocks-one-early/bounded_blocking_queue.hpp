// Drill 08.05 bounded-blocking-queue, WRONG (blocks-one-early): enqueue() waits until size + 1 < capacity.
//
// Why it looks right: "after my push the queue must still be within its capacity", so the condition is written
// about the size after the push, and the strict `<` is carried over from the usual `size < capacity`. Why it is
// wrong: the push is allowed when size + 1 <= capacity; with `<` the queue blocks with one slot still free: it
// never holds more than capacity - 1 items, and a queue of capacity 1 blocks the very first enqueue forever. The
// one-thread tests catch it every run (KeepsFifoOrderOnOneThread, CapacityOneTakesOneItemWithoutBlocking), and
// the explorer in every sim scene of capacity 1.
// The fix: wait while size == capacity (enqueue when size < capacity). Say the boundary case aloud in an
// interview: "capacity 1: the first enqueue must succeed, the second must block."
#pragma once

#include <queue>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// BoundedBlockingQueue: a FIFO of ints holding at most `capacity` items (1 <= capacity <= 30). enqueue() blocks
// while full, dequeue() while empty; size() is the count now. Any number of producers and consumers at once.
// Everything an enqueuer did before enqueue(x) happens-before the dequeue() that returns x (mu_ orders them).
class BoundedBlockingQueue {
 public:
  BoundedBlockingQueue(int capacity) : capacity_(capacity) {}  // NOLINT: LeetCode's contract is not explicit

  void enqueue(int element) {
    {
      sync::unique_lock lock(mu_);
      not_full_.wait(lock, [&] { return static_cast<int>(items_.size()) + 1 < capacity_; });  // BUG: one too early
      items_.push(element);
    }
    not_empty_.notify_one();  // after the unlock: the woken consumer does not run into a held mutex
  }

  int dequeue() {
    int element = 0;
    {
      sync::unique_lock lock(mu_);
      not_empty_.wait(lock, [&] { return !items_.empty(); });
      element = items_.front();
      items_.pop();
    }
    not_full_.notify_one();  // one slot freed: one producer can use it
    return element;
  }

  int size() {
    sync::lock_guard lock(mu_);  // a read too: enqueue() and dequeue() change the deque under mu_
    return static_cast<int>(items_.size());
  }

 private:
  const int capacity_;
  sync::mutex mu_;
  std::queue<int> items_;               // guarded by mu_
  sync::condition_variable not_full_;   // waited on with mu_ for "items_.size() < capacity_"
  sync::condition_variable not_empty_;  // waited on with mu_ for "!items_.empty()"
};

}  // namespace lab
