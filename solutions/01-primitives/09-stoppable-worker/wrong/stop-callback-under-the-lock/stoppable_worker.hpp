// Lab 01.09 stoppable worker, WRONG (stop-callback-under-the-lock): the worker waits on a plain predicate and
// registers its own stop_callback, which takes mu_ and notifies, constructed while the worker holds mu_.
//
// Why it looks right: it is the known cure for the token-in-the-predicate bug: a stop request now runs a
// callback that notifies the condition variable, and the callback takes mu_ first, so the notify cannot slip
// between the worker's check and its sleep. Why it is wrong: a stop_callback whose token is ALREADY stopped
// runs its callback at once, in its constructor, on the constructing thread. The worker constructs it while
// holding mu_, so when stop was requested before that point (while a task ran, or before the worker started)
// the callback locks mu_ on the thread that already holds it: the worker deadlocks with itself, and stop()
// waits in join() forever. The explorer runs those schedules on every run
// (StoppableWorkerTest.StopAlwaysReachesAnIdleWorker and the other sim tests). The fix: let
// condition_variable_any::wait(lock, stop_token, pred) register the callback (it does it correctly), or
// construct the callback before taking the lock.
#pragma once

#include <deque>
#include <functional>
#include <utility>

#include "conclab/annotated_mutex.hpp"
#include "conclab/sync.hpp"

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
//   - ~Worker() requests stop and joins.
//   - Happens-before: everything a task did is visible to the owner after stop() returns.
class Worker {
 public:
  // The thread is started, and its stop source copied into stop_, while mu_ is held. The worker's first step is
  // to take mu_, so nothing it does (a hook that calls stop_requested(), say) can see stop_ before it is set.
  explicit Worker(WorkerHooks hooks = {}) : hooks_(std::move(hooks)) {
    conclab::MutexLock lock(mu_);
    thread_ = sync::jthread([this](sync::stop_token stop) { run(stop); });
    stop_ = thread_.get_stop_source();  // shares the jthread's stop state; used by other threads' calls
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker() = default;  // thread_ is destroyed first: request_stop(), then join()

  bool submit(std::function<void()> task) {
    {
      conclab::MutexLock lock(mu_);
      if (stop_.stop_requested()) return false;
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
  }

  void request_stop() { stop_.request_stop(); }  // the stop_callback inside the worker's wait notifies cv_

  bool stop_requested() const { return stop_.stop_requested(); }

  void stop() {
    stop_.request_stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run(sync::stop_token stop) {
    for (;;) {
      std::function<void()> task;
      {
        conclab::MutexLock lock(mu_);
        if (tasks_.empty() && !stop.stop_requested() && hooks_.on_idle) hooks_.on_idle();
        // BUG: constructed with mu_ held; if stop was already requested, the callback runs right here and locks
        // mu_ again on this thread.
        sync::stop_callback wake(stop, [this] {
          conclab::MutexLock callback_lock(mu_);
          cv_.notify_all();
        });
        cv_.wait(lock, [&]() CONCLAB_REQUIRES(mu_) { return stop.stop_requested() || !tasks_.empty(); });
        if (stop.stop_requested()) break;  // stop requested while tasks were queued: drop them
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
    std::deque<std::function<void()>> dropped;
    {
      conclab::MutexLock lock(mu_);
      dropped.swap(tasks_);
    }
    // The dropped tasks are destroyed here, outside the lock: their destructors are code we do not know.
  }

  const WorkerHooks hooks_;

  conclab::Mutex mu_;
  sync::condition_variable_any cv_;                                 // "a task is queued" (+ stop, by the token)
  std::deque<std::function<void()>> tasks_ CONCLAB_GUARDED_BY(mu_);
  sync::stop_source stop_{sync::nostopstate};  // the jthread's stop state, set under mu_ in the constructor
  sync::jthread thread_;  // last: started in the constructor body, after the fields above exist; stops first
};

}  // namespace lab
