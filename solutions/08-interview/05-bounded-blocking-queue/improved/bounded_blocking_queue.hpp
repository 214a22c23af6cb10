// Drill 08.05 bounded-blocking-queue, IMPROVED: one mutex, two condition variables, predicate waits.
//
// What changed from naive, and why: the check and the change are one critical section. enqueue() takes mu_,
// waits on not_full_ until there is room (cv.wait releases mu_ while it sleeps and re-takes it before it
// returns), pushes, and wakes one consumer; dequeue() is the mirror image on not_empty_. No peek outside the
// lock, so no data race, and no thread can take the slot between a producer's check and its push. Nobody spins:
// a waiting thread sleeps until the other side has changed the queue.
//
// Why two condition variables: a push can only help a consumer, a pop only a producer. On one shared condition
// variable notify_one() may wake a thread of the wrong side, which finds nothing to do and sleeps again, while
// the thread that could go on sleeps forever (wrong/one-cv-notify-one); one cv would need notify_all().
// Why predicate waits (a loop): a wait may end with no notify (spurious), or after another thread already took
// what the notify announced (wrong/if-not-while).
//
// This is module 01's blocking queue (lab 01.03's final version), said in LeetCode's words. The lesson there,
// modules/01-primitives/03-condition-variables.md, takes each of these choices apart.
//
// Lesson: modules/08-interview/04-queues-and-intersections.md ("Two conditions, one lock").
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
      not_full_.wait(lock, [&] { return static_cast<int>(items_.size()) < capacity_; });
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
