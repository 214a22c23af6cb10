// Drill 08.05 bounded-blocking-queue, WRONG (size-without-lock): the improved queue, but size() reads the deque
// without the mutex.
//
// Why it looks right: size() only reads, it changes nothing, and "the number is stale the moment it returns
// anyway". Why it is wrong: staleness is not the problem, the read itself is. std::queue::size() reads the
// deque's internal pointers while enqueue() and dequeue() write them under mu_; nothing orders the read with
// those writes, which is a data race, undefined behaviour (a torn or impossible count; the compiler may also
// assume no other thread changes the deque and, say, hoist the read out of a loop). ThreadSanitizer reports
// it every run in SizeIsSafeWhileOthersUseTheQueue; the explorer in SizeWhileAnotherThreadEnqueues.
// The fix: take mu_ in size() too (an atomic counter kept beside the deque would also do, if it is updated
// under the lock and read with a load).
#pragma once

#include <queue>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class BoundedBlockingQueue {
 public:
  BoundedBlockingQueue(int capacity) : capacity_(capacity) {}  // NOLINT

  void enqueue(int element) {
    {
      sync::unique_lock lock(mu_);
      not_full_.wait(lock, [&] { return static_cast<int>(items_.size()) < capacity_; });
      items_.push(element);
    }
    not_empty_.notify_one();
  }

  int dequeue() {
    int element = 0;
    {
      sync::unique_lock lock(mu_);
      not_empty_.wait(lock, [&] { return !items_.empty(); });
      element = items_.front();
      items_.pop();
    }
    not_full_.notify_one();
    return element;
  }

  int size() { return static_cast<int>(items_.size()); }  // BUG: no lock; others change the deque under mu_

 private:
  const int capacity_;
  sync::mutex mu_;
  std::queue<int> items_;
  sync::condition_variable not_full_;
  sync::condition_variable not_empty_;
};

}  // namespace lab
