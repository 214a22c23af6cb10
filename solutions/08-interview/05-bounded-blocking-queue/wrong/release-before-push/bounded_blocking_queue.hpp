// Drill 08.05 bounded-blocking-queue, WRONG (release-before-push): the semaphore answer, announcing the item
// before it is in the queue.
//
// Why it looks right: "tell the consumer early, it has to wake up anyway", and the release is one line, so it
// moves to right after the slot is taken (the condition-variable version of the same bug notifies before the
// push, outside the lock). Why it is wrong: the release IS the announcement "an item is there". A consumer
// woken by it can take mu_ before the producer does, and pops an empty std::queue: undefined behaviour (front()
// reads stale memory, pop() moves the deque's start past its end). The explorer preempts the producer between
// its release and its push (DequeueOnAnotherThreadGetsTheEnqueue, EnqueueIntoAFullQueueWaitsForRoom).
// The fix: change the state first, announce it after: push under mu_, then release.
#pragma once

#include <queue>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// BoundedBlockingQueue: a FIFO of ints holding at most `capacity` items (1 <= capacity <= 30). enqueue() blocks
// while full, dequeue() while empty; size() is the count now. Any number of producers and consumers at once.
// Everything an enqueuer did before enqueue(x) happens-before the dequeue() that returns x (mu_, and the
// release of items_ready_ that the consumer's acquire reads).
class BoundedBlockingQueue {
 public:
  BoundedBlockingQueue(int capacity) : slots_(capacity) {}  // NOLINT: LeetCode's contract is not explicit

  void enqueue(int element) {
    slots_.acquire();
    items_ready_.release();  // BUG: announces an item that is not in the queue yet
    {
      sync::lock_guard lock(mu_);
      items_.push(element);
    }
  }

  int dequeue() {
    items_ready_.acquire();
    int element = 0;
    {
      sync::lock_guard lock(mu_);
      element = items_.front();
      items_.pop();
    }
    slots_.release();
    return element;
  }

  int size() {
    sync::lock_guard lock(mu_);  // neither semaphore can be read; the deque's size under mu_ is the answer
    return static_cast<int>(items_.size());
  }

 private:
  sync::counting_semaphore<> slots_;           // free places: capacity at first; acquired by enqueue()
  sync::counting_semaphore<> items_ready_{0};  // items in the deque: acquired by dequeue()
  sync::mutex mu_;
  std::queue<int> items_;  // guarded by mu_
};

}  // namespace lab
