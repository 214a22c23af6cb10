// Drill 08.05 bounded-blocking-queue, WRONG (lock-then-acquire): the semaphore answer with the mutex taken FIRST.
//
// Why it looks right: "lock, then do everything" is how one protects a critical section, and the semaphore
// acquire is put inside it with the push. Why it is wrong: acquire() may sleep, and it sleeps holding mu_. A
// producer on a full queue takes mu_, then sleeps on slots_; the consumer that would free a slot takes an item,
// then needs mu_ to pop, and waits for the producer, which waits for it: a deadlock. (A condition variable's
// wait releases the mutex while it sleeps; a semaphore knows nothing of your mutex.) Downey's Little Book of
// Semaphores shows the same deadlock in its finite-buffer producer-consumer. The explorer finds it with a full
// queue of capacity 1 (EnqueueIntoAFullQueueWaitsForRoom) and when a consumer waits (the mirror image).
// The fix: acquire the semaphore before the mutex, release it after.
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
    {
      sync::lock_guard lock(mu_);
      slots_.acquire();  // BUG: sleeps on a full queue holding mu_, which a consumer needs to make room
      items_.push(element);
    }
    items_ready_.release();  // only now is the item there to take
  }

  int dequeue() {
    int element = 0;
    {
      sync::lock_guard lock(mu_);
      items_ready_.acquire();  // BUG: sleeps on an empty queue holding mu_, which a producer needs
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
