// Lab 01.03 blocking queue, WRONG (one-cv-notify-one): one condition variable for producers and consumers, and
// notify_one() after every push and pop.
//
// Why it looks right: every wait has a predicate, so a thread woken for nothing just waits again; each push or
// pop changes the queue by one item, so one waiter should be enough, and notify_all() looks wasteful. Why it is
// wrong: the waiters on the one condition variable wait for DIFFERENT things. With a queue of capacity 1, two
// consumers wait for an item and a producer waits for room; a consumer pops, and its notify_one() wakes the
// other consumer, which finds the queue empty and goes back to sleep. The producer, the only thread that could
// go on, is never woken: everyone sleeps (a lost wakeup). The scripted condition variable wakes the oldest
// waiter (BlockingQueueTest.ProducersAndConsumersWaitingTogetherAllFinish), and the explorer tries every
// choice (BlockingQueueTest.ProducerAndTwoConsumersOnOneSlotAllFinish). The fix: notify_all() on the one
// condition variable (the improved version), or two condition variables, not_empty_ and not_full_, each
// notified with notify_one() by the side that can help its waiters (the final version).
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
    cv_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(item));
    cv_.notify_one();  // BUG: may wake a producer, when only a consumer can use the new item
  }

  T pop() {
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !items_.empty(); });
    T item = take_oldest();
    cv_.notify_one();  // BUG: may wake a consumer, when only a producer can use the free slot
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
  CondVar cv_;           // waited on with mu_: "items_ changed" (consumers and producers both wait here)
};

}  // namespace lab
