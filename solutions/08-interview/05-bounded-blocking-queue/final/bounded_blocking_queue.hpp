// Drill 08.05 bounded-blocking-queue, FINAL: two counting semaphores for the waiting, a mutex for the queue.
//
// What changed from improved, and why: the two conditions become two counters. `slots_` counts free places
// (starts at capacity), `items_ready_` counts items (starts at 0). enqueue() takes a slot (blocks at 0: full),
// pushes under mu_, and releases an item; dequeue() takes an item (blocks at 0: empty), pops under mu_, and
// releases a slot. A semaphore remembers its releases, so there is no predicate to re-check, no lost or
// spurious wakeup to think about, and no "which side do I wake": each release wakes exactly the side that
// counts it. This is the producer-consumer of Downey's The Little Book of Semaphores (section 4.1, the finite
// buffer).
//
// The mutex is not optional. The semaphores say HOW MANY threads may go on, not WHICH ONE touches the deque:
// with a capacity of 2, two producers both get a slot and push at once, two unsynchronised writes to the deque's
// end (wrong/semaphores-only, the answer that circulates). And the order matters twice over:
//   - take the semaphore BEFORE the mutex: a producer that holds mu_ while it sleeps on a full queue keeps out
//     the consumer that would free a slot (wrong/lock-then-acquire, a deadlock);
//   - release AFTER the push: an item released before it is in the deque lets a consumer pop an empty deque
//     (wrong/release-before-push).
//
// Improved or final in an interview? Both are right. Final is shorter and has no wakeup subtleties; improved
// generalises: a close() or a timeout, or a size that changes, is a predicate on a condition variable, but a
// semaphore has no "wake everyone, we are shutting down". What an expert would still do in production: a
// ring buffer instead of a std::deque (no allocation per node), close() for shutdown, batching (take all ready
// items at once), and, for one producer and one consumer, a lock-free ring with two atomic indices.
//
// Lesson: modules/08-interview/04-queues-and-intersections.md ("Semaphores count, a mutex guards").
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
    slots_.acquire();  // first the semaphore (may sleep), then the mutex (never held while sleeping)
    {
      sync::lock_guard lock(mu_);
      items_.push(element);
    }
    items_ready_.release();  // only now is the item there to take
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
