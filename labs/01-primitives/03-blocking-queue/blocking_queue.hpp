// Lab 01.03: a bounded blocking queue (lesson: modules/01-primitives/03-condition-variables.md).
//
// Make push() wait while the queue is full and pop() wait while it is empty, using a mutex and
// condition variable(s) of type CondVar. Every change point is marked TODO(lab).
//
// sync:: is conclab::sync (conclab/sync.hpp): std's primitives under the course's names (sync::thread is
// std::thread, sync::mutex is std::mutex, and so on), instrumented in the sim build so that the course's
// explorer can try every schedule of the threads (module 01's README says more).
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
//   - Happens-before: everything a producer did before push(x) is visible to the consumer whose pop() returns x.
//   - CondVar is the condition variable type the queue waits on (std::condition_variable by default). The
//     tests substitute one that wakes up spuriously, or in an order they choose, whenever they like, which the
//     standard allows any condition variable to do. Use only wait(lock), wait(lock, predicate),
//     notify_one() and notify_all(), with `lock` a std::unique_lock<std::mutex> on mu_.
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
    // TODO(lab): while the queue is full (items_.size() == capacity_), wait for room. Re-check the
    //            condition after every wakeup: a wakeup is a hint, not a promise.
    items_.push_back(std::move(item));
    // TODO(lab): wake a consumer that may be waiting for an item.
  }

  T pop() {
    sync::unique_lock lock(mu_);
    // TODO(lab): while the queue is empty, wait for a push instead of giving up here.
    if (items_.empty()) {
      throw std::logic_error("pop() on an empty queue is not implemented yet: it must wait for a push "
                             "(see the TODO(lab) in blocking_queue.hpp)");
    }
    T item = take_oldest();
    // TODO(lab): wake a producer that may be waiting for room.
    return item;
  }

  std::size_t size() const {
    sync::lock_guard lock(mu_);
    return items_.size();
  }

  std::size_t capacity() const noexcept { return capacity_; }

 private:
  // Removes and returns the oldest item; the caller holds mu_. Popping an empty std::deque is undefined
  // behaviour, so this checks first: a pop() that goes on after a wakeup without re-checking fails loudly.
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
  // TODO(lab): the condition variable(s) to wait on, of type CondVar. Start with one; the expert version
  //            uses two (not_empty_ for consumers, not_full_ for producers).
};

}  // namespace lab
