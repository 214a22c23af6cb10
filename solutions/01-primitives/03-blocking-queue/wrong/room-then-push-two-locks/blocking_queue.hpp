// Lab 01.03 blocking queue, WRONG (room-then-push-two-locks): push() waits for room under the lock, releases
// it, and appends the item under a second, separate lock.
//
// Why it looks right: each half holds mu_, so there is no data race for ThreadSanitizer to report; the wait
// has its predicate; and moving the item in outside the waiting block keeps "the critical section short".
// Every test with one producer passes. Why it is wrong: it is check-then-act. Between the two critical
// sections the lock is free, and another producer can see the same free slot and take it: two producers both
// see room in a queue of capacity 1, and both push. The queue holds 2; the bound is broken. Only an
// interleaving shows it, a stress test rarely, the explorer on every run
// (BlockingQueueTest.TwoProducersNeverOverfillOneSlot). The fix: one critical section from the check to the
// push_back, `sync::unique_lock lock(mu_); not_full_.wait(lock, ...); items_.push_back(...);`.
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
    {
      sync::unique_lock lock(mu_);
      not_full_.wait(lock, [&] { return items_.size() < capacity_; });
    }  // BUG: the room we saw is not ours: another producer can take it before the lock below
    {
      sync::lock_guard lock(mu_);
      items_.push_back(std::move(item));
    }
    not_empty_.notify_one();  // one new item: one consumer can use it
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
