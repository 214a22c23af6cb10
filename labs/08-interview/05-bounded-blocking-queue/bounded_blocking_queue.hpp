// Drill 08.05: bounded-blocking-queue (LeetCode 1188, "Design Bounded Blocking Queue").
// Problem: labs/08-interview/05-bounded-blocking-queue/problem.md.   Timed: ./conclab drill 08.05
// Lesson: modules/08-interview/04-queues-and-intersections.md.       Check: ./conclab check 08.05
//
// Write lab::BoundedBlockingQueue, a FIFO queue of ints that holds at most `capacity` items:
//
//   - BoundedBlockingQueue(int capacity): 1 <= capacity <= 30; the queue starts empty.
//   - enqueue(element) adds element at the back; while the queue is full it blocks until a dequeue makes room.
//   - dequeue() removes and returns the front item; while the queue is empty it blocks until an enqueue.
//   - size() returns how many items are in the queue now.
//   - up to 8 producer threads and 8 consumer threads call these at once, on one queue.
//
// Do not use a ready-made blocking queue: build the waiting yourself, from conclab::sync's primitives (a mutex
// and condition variables, or semaphores and a mutex). A std::queue or std::deque for the items is fine.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp): sync::mutex is
// std::mutex, sync::condition_variable is std::condition_variable, sync::counting_semaphore is
// std::counting_semaphore. In the sim build they are instrumented, so that the explorer can try every schedule
// of your threads and check every plain read and write for a data race.
#pragma once

#include <queue>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class BoundedBlockingQueue {
 public:
  BoundedBlockingQueue(int capacity) : capacity_(capacity) {}  // NOLINT: LeetCode's contract is not explicit

  void enqueue(int element) {
    // TODO(lab): wait while the queue holds capacity_ items, then add element at the back, and let a consumer
    // that waits for an item know there is one.
    (void)element;
  }

  int dequeue() {
    // TODO(lab): wait while the queue is empty, then take the front item, and let a producer that waits for
    // room know there is some.
    return -1;
  }

  int size() {
    // TODO(lab): the number of items now. Other threads change the queue while you read it.
    return 0;
  }

 private:
  const int capacity_;
  // TODO(lab): the items, and what guards them and what the threads wait on.
};

}  // namespace lab
