// final: two condition variables, one per kind of waiter, so each change wakes exactly one thread that can use it.
//
// Changed from improved: consumers wait on not_empty_ and producers on not_full_. A push can only help a
// consumer, so it notify_one()s not_empty_; a pop can only help a producer, so it notify_one()s not_full_.
// Nobody of the wrong kind is woken just to go back to sleep, which is what notify_all() on one shared
// condition variable did (measure it: `conclab bench 01.03`). notify_one() is now safe because every waiter
// on a condition variable waits for the same condition, and any one of them can use the change.
// Every wait still re-checks its predicate: spurious and stolen wakeups do not go away.
//
// We also notify after unlocking mu_, so the woken thread does not wake up only to block on a mutex we still
// hold. Notifying with the lock held is equally correct (lesson 03 compares the two).
//
// What an expert would still do differently in production:
//   - add a way to shut down (close(): pop() on a closed, empty queue returns "no more" instead of blocking
//     forever; lab 01.08 builds it), plus try_push/try_pop and waits with a deadline or a stop_token;
//   - make pop() exception-safe for types whose move can throw (pop into an out-parameter or std::optional);
//   - for very high rates, hand over items in batches (drain everything under one lock), or use a proven
//     lock-free MPMC ring buffer instead of a mutex: under contention every push and pop here serialises on mu_.
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
