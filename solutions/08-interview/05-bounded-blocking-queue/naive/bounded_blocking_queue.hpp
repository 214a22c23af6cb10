// Drill 08.05 bounded-blocking-queue, NAIVE: the queue under a mutex, the waiting a busy loop that peeks.
//
// The first answer many people write when they know "lock the queue" but not yet how to wait: every change to
// the std::queue happens under mu_, and enqueue()/dequeue() spin (with a yield, to be polite) until the queue
// looks ready, then lock and act. Why it looks right: the queue is only ever CHANGED under the lock, and the
// loop is "only a read".
//
// Why it is wrong, twice over:
//   - the peek `items_.size()` outside the lock is a data race: it reads the deque's internals while another
//     thread changes them under mu_, and nothing orders the two. ThreadSanitizer reports it in every test
//     where two threads use the queue at once; the explorer's plain-memory checker on the first schedule that
//     has both accesses.
//   - even with the peek made safe, look-then-act is two steps: two producers both see one free slot, both
//     lock in turn, both push, and a queue of capacity 1 holds 2 (a consumer likewise pops an empty queue).
//     The check and the change must be one critical section, and a thread that must wait should sleep.
// And it burns a core while it waits. The improved version sleeps on condition variables.
//
// Lesson: modules/08-interview/04-queues-and-intersections.md ("The first answer: peek, then lock").
#pragma once

#include <queue>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// BoundedBlockingQueue: a FIFO of ints holding at most `capacity` items (1 <= capacity <= 30). enqueue() blocks
// while full, dequeue() while empty; size() is the count now. Any number of producers and consumers at once.
class BoundedBlockingQueue {
 public:
  BoundedBlockingQueue(int capacity) : capacity_(capacity) {}  // NOLINT: LeetCode's contract is not explicit

  void enqueue(int element) {
    while (static_cast<int>(items_.size()) >= capacity_) sync::this_thread::yield();  // BUG: read without mu_
    sync::lock_guard lock(mu_);  // BUG: another producer may have taken the slot since the peek
    items_.push(element);
  }

  int dequeue() {
    while (items_.empty()) sync::this_thread::yield();  // BUG: read without mu_
    sync::lock_guard lock(mu_);  // BUG: another consumer may have taken the item since the peek
    const int element = items_.front();
    items_.pop();
    return element;
  }

  int size() {
    sync::lock_guard lock(mu_);
    return static_cast<int>(items_.size());
  }

 private:
  const int capacity_;
  sync::mutex mu_;
  std::queue<int> items_;  // changed under mu_ (but peeked at without it)
};

}  // namespace lab
