// improved: an atomic stop flag, set under the worker's mutex, that the wait's predicate checks.
//
// Changed from naive:
//   - The flag is a std::atomic<bool>, so a running task may poll stop_requested() while another thread
//     calls request_stop(): no data race.
//   - The worker waits for "stop requested OR a task is queued", not just for a task, and request_stop()
//     notifies the condition variable. A worker asleep in cv_.wait() with nothing to do wakes up, sees the
//     flag, and returns: stop() no longer depends on another task arriving to wake it.
//   - The flag is stored while holding mu_, then cv_ is notified. Atomic alone is not enough: the worker
//     checks the predicate under mu_ and then blocks. Had request_stop() stored the flag and notified
//     without taking mu_, both could fall between that check and the block: the notify finds nobody
//     waiting, the worker then sleeps with the flag already set (a lost wakeup). Taking mu_ to store the
//     flag means it happens either before the worker's check (which then sees it) or after the worker is
//     blocked (and the notify wakes it).
//   - submit() refuses tasks once stop has been requested, so nothing is accepted that will never run.
// Decision, unchanged from naive: stop drops the tasks still queued (see the contract).
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

// Worker: one background thread that runs submitted tasks in order, and that can be stopped promptly.
//
// Contract:
//   - submit(), request_stop() and stop_requested() may be called from any thread, concurrently, and from
//     inside a task. stop() and the destructor are called by the owner only, never from inside a task.
//   - submit(task) queues the task and returns true; once stop has been requested it returns false and
//     drops the task.
//   - request_stop() returns at once. The task running then (if any) finishes; tasks can poll
//     stop_requested() to finish early. Tasks still queued are dropped (destroyed without running): stop
//     means stop. To run everything first, wait for the tasks before stopping.
//   - stop() = request_stop(), then wait until the worker thread has exited. It returns promptly when the
//     worker is idle, and after the running task when it is busy. Calling it again does nothing.
//   - ~Worker() calls stop().
//   - Happens-before: everything a task did is visible to the owner after stop() returns.
class Worker {
 public:
  explicit Worker(WorkerHooks hooks = {}) : hooks_(std::move(hooks)), thread_([this] { run(); }) {}
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker() { stop(); }

  bool submit(std::function<void()> task) {
    {
      sync::lock_guard lock(mu_);
      if (stop_.load()) return false;
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
  }

  void request_stop() {
    {
      sync::lock_guard lock(mu_);  // see the header: storing under mu_ is what makes the notify land
      stop_.store(true);
    }
    cv_.notify_all();
  }

  bool stop_requested() const { return stop_.load(); }

  void stop() {
    request_stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> task;
      {
        sync::unique_lock lock(mu_);
        if (tasks_.empty() && !stop_.load() && hooks_.on_idle) hooks_.on_idle();
        cv_.wait(lock, [&] { return stop_.load() || !tasks_.empty(); });
        if (stop_.load()) break;  // drop whatever is queued
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
    std::deque<std::function<void()>> dropped;
    {
      sync::lock_guard lock(mu_);
      dropped.swap(tasks_);
    }
    // The dropped tasks are destroyed here, outside the lock: their destructors are code we do not know.
  }

  const WorkerHooks hooks_;

  sync::mutex mu_;
  sync::condition_variable cv_;               // "stop requested, or a task is queued"
  std::deque<std::function<void()>> tasks_;   // guarded by mu_
  sync::atomic<bool> stop_{false};            // written under mu_ (see request_stop); read anywhere
  sync::thread thread_;                       // last: starts after the fields above exist
};

}  // namespace lab
