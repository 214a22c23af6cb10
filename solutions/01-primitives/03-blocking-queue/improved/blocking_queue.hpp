// improved: every wait re-checks its condition (a predicate wait), so the queue is correct.
//
// Changed from naive: `if (empty) cv_.wait(lock)` became `cv_.wait(lock, [&] { return !items_.empty(); })`,
// which is `while (items_.empty()) cv_.wait(lock);`. A spurious wakeup, a wakeup whose item another consumer
// took first, or one of many threads woken by notify_all() all just look again and go back to waiting.
//
// Still one condition variable for two kinds of waiters (consumers waiting for an item, producers waiting for
// room), so every change must notify_all(): notify_one() could wake a thread of the wrong kind, which finds
// its condition false and waits again, while the thread that could have run sleeps on (lesson 03, "notify_one
// where notify_all is needed"). Correct, but each push wakes every waiting producer just to send them back
// to sleep; the final version fixes that with two condition variables.
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
    cv_.notify_all();  // all: a waiting producer must not swallow the wakeup a consumer needs
  }

  T pop() {
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !items_.empty(); });
    T item = take_oldest();
    cv_.notify_all();  // all: a waiting consumer must not swallow the wakeup a producer needs
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
