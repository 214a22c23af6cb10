// Lab 01.03 blocking queue, WRONG (size-without-lock): size() returns items_.size() without locking mu_.
//
// Why it looks right: size() only reads, it is a one-liner, and a size is out of date the moment it is
// returned anyway, so "an approximate answer without a lock" seems fair. Why it is wrong: it is not an
// approximate answer, it is a data race: push() and pop() change the std::deque's internals (its start and
// finish iterators, its map of blocks) under mu_ while size() reads them with no lock, which is undefined
// behaviour; the deque may be halfway through a push_back that reallocates its map. No test of a queue
// calls size() while other threads push by chance; the explorer checks every plain access on every schedule
// (BlockingQueueTest.TwoProducersNeverOverfillOneSlot, whose test thread calls size() while producers push).
// The fix: `sync::lock_guard lock(mu_);` in size() (mu_ is mutable for exactly this).
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
    return items_.size();  // BUG: "only a read", but push() and pop() write items_ under mu_ meanwhile
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
