// Drill 08.05 bounded-blocking-queue, WRONG (holds-one-extra): enqueue() waits only while size > capacity.
//
// Why it looks right: "block when the queue is over its capacity" reads like the problem statement, and every
// test that never fills the queue passes. Why it is wrong: at size == capacity the queue is full, and the
// condition lets one more push through: it holds capacity + 1 items. No single-threaded test can show it without
// hanging the correct version (the extra enqueue must block), so the catch is a sim test: the explorer runs a
// producer into a full queue of capacity 1 and sees it return with 2 items inside
// (EnqueueIntoAFullQueueWaitsForRoom).
// The fix: enqueue when size < capacity, i.e. wait while size >= capacity.
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
      not_full_.wait(lock, [&] { return static_cast<int>(items_.size()) <= capacity_; });  // BUG: lets one extra in
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
