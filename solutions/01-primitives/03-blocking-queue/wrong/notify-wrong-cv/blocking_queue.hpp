// Lab 01.03 blocking queue, WRONG (notify-wrong-cv): push() notifies not_full_, the condition variable the
// producers wait on, instead of not_empty_.
//
// Why it looks right: pop() ends with `not_full_.notify_one();`, push() was written by copying pop(), and the
// line looks the same; every wait has a predicate; a test that pushes before anyone pops never waits, so it
// passes. Why it is wrong: a notify wakes only the threads waiting on THAT condition variable. A consumer
// asleep on not_empty_ is never woken by a push: it sleeps next to the item for good. The scripted tests let a
// consumer wait first (BlockingQueueTest.PopBlocksUntilPush and the tests in which a consumer waits), and so
// does the explorer (BlockingQueueTest.PopOnAnotherThreadGetsThePush and the other sim tests with a waiting
// consumer). The fix: a push() can only help a consumer: `not_empty_.notify_one();`.
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
    items_.push_back(std::move(item));
    lock.unlock();
    not_full_.notify_one();  // BUG: wakes a producer; the consumers wait on not_empty_
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
