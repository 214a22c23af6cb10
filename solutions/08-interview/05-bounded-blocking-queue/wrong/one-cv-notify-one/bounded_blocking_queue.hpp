// Drill 08.05 bounded-blocking-queue, WRONG (one-cv-notify-one): producers and consumers wait on ONE condition
// variable, and each side wakes one waiter.
//
// Why it looks right: the waits have their predicates (no if-not-while), and notify_one "wakes just the thread
// that is needed". Why it is wrong: on a shared condition variable the one woken thread may be of the WRONG side.
// Capacity 1, one producer, two consumers: both consumers sleep; the producer pushes and wakes consumer 1, then
// sleeps on its second push (full); consumer 1 pops and its notify_one wakes consumer 2 instead of the producer;
// consumer 2 finds the queue empty and sleeps again. Everyone left is asleep, and nobody will ever notify. The
// explorer tries every choice of whom notify_one wakes (ProducerAndTwoConsumersOnOneSlotAllFinish).
// The fix: two condition variables (improved), or notify_all on the shared one (every waiter re-checks; costs
// wakeups). Module 01 tells it step by step: modules/01-primitives/03-condition-variables.md, "Trap: notify_one
// where notify_all is needed".
#pragma once

#include <queue>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class BoundedBlockingQueue {
 public:
  BoundedBlockingQueue(int capacity) : capacity_(capacity) {}  // NOLINT

  void enqueue(int element) {
    sync::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return static_cast<int>(items_.size()) < capacity_; });
    items_.push(element);
    changed_.notify_one();  // BUG: may wake another producer instead of a consumer
  }

  int dequeue() {
    sync::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return !items_.empty(); });
    const int element = items_.front();
    items_.pop();
    changed_.notify_one();  // BUG: may wake another consumer instead of a producer
    return element;
  }

  int size() {
    sync::lock_guard lock(mu_);
    return static_cast<int>(items_.size());
  }

 private:
  const int capacity_;
  sync::mutex mu_;
  std::queue<int> items_;
  sync::condition_variable changed_;  // BUG: both sides wait here for different things
};

}  // namespace lab
