// naive: one condition variable, notify_all(), and `if` around every wait.
//
// This is the queue most people write first, and it looks right: "if the queue is empty, wait until
// someone pushes". But a return from wait() is not a promise that the queue has an item:
//   - the standard lets wait() return spuriously, with nothing notified at all;
//   - another consumer can take the lock first and steal the item the notify was for;
//   - notify_all() wakes every waiter for one item: all but one find the queue empty again.
// With `if`, the thread never looks again, and pop() takes from an empty queue (push() overfills a full one).
// The tests force each of these wakeups deterministically with a scripted condition variable.
#pragma once

#include <cstddef>
#include <deque>
#include <stdexcept>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// BlockingQueue<T, CondVar>: a bounded FIFO queue shared by any number of producer and consumer threads.
//
// Contract (intended; this version breaks it on spurious or stolen wakeups):
//   - Every method may be called from any thread, at any time, concurrently.
//   - push(item) blocks while the queue holds capacity() items; pop() blocks while it is empty.
//   - Happens-before: everything a producer did before push(x) is visible to the consumer whose pop() returns x.
template <class T, class CondVar = sync::condition_variable>
class BlockingQueue {
 public:
  explicit BlockingQueue(std::size_t capacity) : capacity_(capacity) {
    if (capacity == 0) throw std::invalid_argument("BlockingQueue: capacity must be at least 1");
  }
  BlockingQueue(const BlockingQueue&) = delete;
  BlockingQueue& operator=(const BlockingQueue&) = delete;

  void push(T item) {
    sync::unique_lock lock(mu_);
    if (items_.size() >= capacity_) cv_.wait(lock);  // BUG: `if`, so a wakeup is taken as "there is room"
    items_.push_back(std::move(item));
    cv_.notify_all();
  }

  T pop() {
    sync::unique_lock lock(mu_);
    if (items_.empty()) cv_.wait(lock);  // BUG: `if`, so a wakeup is taken as "there is an item"
    T item = take_oldest();
    cv_.notify_all();
    return item;
  }

  std::size_t size() const {
    sync::lock_guard lock(mu_);
    return items_.size();
  }

  std::size_t capacity() const noexcept { return capacity_; }

 private:
  // Removes and returns the oldest item; the caller holds mu_. Checked, so the bug fails loudly instead of
  // being undefined behaviour.
  T take_oldest() {
    if (items_.empty()) {
      throw std::logic_error("pop() went on to take an item from an EMPTY queue: it woke up and did not re-check "
                             "that the queue had an item (wait in a loop, or pass a predicate to wait)");
    }
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

  const std::size_t capacity_;

  mutable sync::mutex mu_;
  std::deque<T> items_;  // guarded by mu_
  CondVar cv_;           // "something changed": producers and consumers both wait here
};

}  // namespace lab
