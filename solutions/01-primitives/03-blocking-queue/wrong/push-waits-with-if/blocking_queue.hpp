// Lab 01.03 blocking queue, WRONG (push-waits-with-if): pop() waits with a predicate, but push() waits with
// `if (items_.size() >= capacity_) not_full_.wait(lock);`.
//
// Why it looks right: the lesson's spurious-wakeup story is told about consumers, and pop() got the loop. A
// producer, it seems, is only woken by a pop() that just made room, so after wait() returns there must be
// room. Why it is wrong: a producer's wait() can return spuriously too (the standard allows it at any time),
// and a woken producer can find that another producer took the slot first. With `if` it never looks again,
// and pushes into a full queue: the bound, the one thing a bounded queue promises, is broken, and memory grows
// without limit under a fast producer. The scripted condition variable wakes the producer spuriously
// (BlockingQueueTest.SpuriousWakeupDoesNotOverfill), and the explorer tries a spurious wakeup at every wait
// (BlockingQueueTest.TwoProducersNeverOverfillOneSlot). The fix: the same predicate wait as pop(),
// `not_full_.wait(lock, [&] { return items_.size() < capacity_; });`.
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
    if (items_.size() >= capacity_) not_full_.wait(lock);  // BUG: `if`, so a wakeup is taken as "there is room"
    items_.push_back(std::move(item));
    lock.unlock();
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
