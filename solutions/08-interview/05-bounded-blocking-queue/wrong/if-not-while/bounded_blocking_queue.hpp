// Drill 08.05 bounded-blocking-queue, WRONG (if-not-while): a mutex, two condition variables, and `if` where a
// `while` belongs.
//
// Why it looks right: "I wait only when I must, and I am woken only when the other side changed the queue."
// Why it is wrong: a condition variable's wait may return with no notify at all (a spurious wakeup, which the
// standard allows), and a notified thread may find that another thread got to the mutex first and used the
// slot or the item. After `if`, nothing checks again: enqueue() pushes into a full queue (capacity exceeded) and
// dequeue() pops an empty std::queue (undefined behaviour: front() reads stale memory). The explorer tries a
// spurious wakeup at every wait. The fix: `while (full) wait`, or cv.wait(lock, predicate).
// Module 01 has this lesson in full: modules/01-primitives/03-condition-variables.md, "Spurious wakeups, and
// stolen ones".
#pragma once

#include <queue>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class BoundedBlockingQueue {
 public:
  BoundedBlockingQueue(int capacity) : capacity_(capacity) {}  // NOLINT

  void enqueue(int element) {
    {
      sync::unique_lock lock(mu_);
      if (static_cast<int>(items_.size()) == capacity_) not_full_.wait(lock);  // BUG: if, not while
      items_.push(element);
    }
    not_empty_.notify_one();
  }

  int dequeue() {
    int element = 0;
    {
      sync::unique_lock lock(mu_);
      if (items_.empty()) not_empty_.wait(lock);  // BUG: if, not while
      element = items_.front();
      items_.pop();
    }
    not_full_.notify_one();
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
  sync::condition_variable not_full_;
  sync::condition_variable not_empty_;
};

}  // namespace lab
