// Lab 01.03 blocking queue, WRONG (notify-only-when-was-empty): push() notifies not_empty_ only when the queue
// was empty before the push.
//
// Why it looks right: a consumer waits only while the queue is empty, so a push into a non-empty queue cannot
// have anyone to wake; skipping the notify saves a system call on every push but the first. Why it is wrong:
// "the queue is not empty" does not mean "nobody is waiting". Two consumers wait; the first push wakes one of
// them, but before it runs a second push finds the queue non-empty (the first item is still there) and
// notifies nobody. The second consumer sleeps on next to an item it could take, and with no more pushes,
// forever. The scripted condition variable holds the first consumer so both pushes come first
// (BlockingQueueTest.TwoPushesWakeTwoWaitingConsumers), and the explorer finds the schedule
// (BlockingQueueTest.TwoPushesReachTwoWaitingConsumers). The fix: notify on every push; a notify with no
// waiter is cheap.
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
// Contract:
//   - Every method may be called from any thread, at any time, concurrently.
//   - push(item) appends item; while the queue already holds capacity() items it blocks until there is room.
//   - pop() removes and returns the oldest item; while the queue is empty it blocks until there is one.
//   - Happens-before: everything a producer did before push(x) is visible to the consumer whose pop() returns x
//     (both sides hold mu_ when they touch items_).
//   - The queue must outlive every call in progress on it (notify happens after the unlock).
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
    not_full_.wait(lock, [&] { return items_.size() < capacity_; });
    const bool was_empty = items_.empty();
    items_.push_back(std::move(item));
    lock.unlock();
    if (was_empty) not_empty_.notify_one();  // BUG: a consumer can be waiting although the queue was not empty
  }

  T pop() {
    sync::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !items_.empty(); });
    T item = take_oldest();
    lock.unlock();
    not_full_.notify_one();  // one free slot: one producer can use it
    return item;
  }

  std::size_t size() const {
    sync::lock_guard lock(mu_);
    return items_.size();
  }

  std::size_t capacity() const noexcept { return capacity_; }

 private:
  // Removes and returns the oldest item; the caller holds mu_ and has checked that there is one.
  T take_oldest() {
    if (items_.empty()) throw std::logic_error("BlockingQueue: take_oldest() on an empty queue");
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

  const std::size_t capacity_;

  mutable sync::mutex mu_;
  std::deque<T> items_;  // guarded by mu_
  CondVar not_empty_;    // waited on with mu_ by pop(): "items_ is not empty"
  CondVar not_full_;     // waited on with mu_ by push(): "items_.size() < capacity_"
};

}  // namespace lab
