// Drill 08.05 bounded-blocking-queue, WRONG (notify-before-push): the improved queue, but enqueue() notifies
// first and pushes after.
//
// Why it looks right: "wake the consumer early, it needs time to get going, and by the time it has the lock the
// item will be there". Why it is wrong: the notify is the only news the consumer gets. Woken before the push, it
// takes the lock, finds the queue still empty (its predicate wait re-checks, as it should), and sleeps again;
// the producer then pushes and notifies nobody. A consumer asleep next to an item: a lost wakeup. The explorer
// runs the consumer between the producer's notify and its push (DequeueOnAnotherThreadGetsTheEnqueue). The rule:
// change the state first (under the lock), then notify. Module 01 has the same bug as
// labs/01-primitives/03-blocking-queue's wrong/notify-before-push; the semaphore form here is
// wrong/release-before-push.
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
    not_empty_.notify_one();  // BUG: announces an item that is not in the queue yet, outside the lock
    sync::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return static_cast<int>(items_.size()) < capacity_; });
    items_.push(element);
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
