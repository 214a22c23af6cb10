// naive: a plain bool stop flag that the worker checks between tasks.
//
// The version people write first: `while (!stop_) { wait for a task; run it; }`, with request_stop() setting
// `stop_ = true` and notifying the condition variable "to wake the worker up". It stops a busy worker
// fine, and has two bugs:
//   - A worker waiting for work never notices. Its wait is `while (tasks_.empty()) cv_.wait(lock);`: the
//     notify from request_stop() does wake it, it finds the queue still empty and goes straight back to
//     sleep. The loop's `!stop_` is only read after a task, and no task is coming: stop() blocks in join()
//     forever. (Only the next submit() would wake it, and the tests submit nothing.)
//   - stop_ is a plain bool that a task polls through stop_requested() while the owner writes it: a data
//     race, undefined behaviour. The compiler may read it once and loop forever; ThreadSanitizer reports it.
//     The loop condition reads it without the lock too.
// submit() also keeps accepting tasks after a stop request; they are never run.
#pragma once

#include <deque>
#include <functional>
#include <utility>
#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Test hooks. Called on the worker thread; may be empty.
struct WorkerHooks {
  // Called each time the worker is about to block waiting for a task: its queue is empty and no stop has
  // been requested. Called with the worker's lock held, once per wait (not again for wakeups inside it).
  std::function<void()> on_idle;
};

// Worker: the same interface as improved; the contract it breaks is described above.
class Worker {
 public:
  explicit Worker(WorkerHooks hooks = {}) : hooks_(std::move(hooks)), thread_([this] { run(); }) {}
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker() { stop(); }

  bool submit(std::function<void()> task) {
    {
      sync::lock_guard lock(mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
  }

  void request_stop() {
    sync::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_all();  // wakes the worker, but its wait only looks at the queue
  }

  bool stop_requested() const { return stop_; }  // data race: plain read while request_stop() writes

  void stop() {
    request_stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    while (!stop_) {  // data race: read without the lock; and only checked between tasks
      std::function<void()> task;
      {
        sync::unique_lock lock(mu_);
        while (tasks_.empty()) {  // waits for work only: a stop request does not end this loop
          if (hooks_.on_idle) hooks_.on_idle();
          cv_.wait(lock);
        }
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  const WorkerHooks hooks_;

  sync::mutex mu_;
  sync::condition_variable cv_;              // "a task was queued" (and, the author hoped, "stop")
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stop_ = false;                        // written under mu_, read without it: the race
  sync::thread thread_;                      // last: starts after the fields above exist
};

}  // namespace lab
