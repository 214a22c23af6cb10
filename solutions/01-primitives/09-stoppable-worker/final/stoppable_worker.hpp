// final: std::jthread's stop_token, and a condition_variable_any that a stop request wakes by itself.
//
// Changed from improved: no hand-rolled flag. The worker is a std::jthread, which owns a std::stop_source
// and passes its std::stop_token to run(). The worker waits with the stop_token overload of
// std::condition_variable_any::wait(lock, stop, pred): while it waits, it registers a stop_callback that
// notifies the condition variable, so request_stop() wakes it without knowing the worker's mutex or
// condition variable, and without the lost-wakeup care improved needed (the library takes it). The same
// token is what tasks poll, and the same stop state can be handed to any code that takes a stop_token
// (a Channel's receive(out, stop), another jthread), so one request_stop() cancels the whole tree.
// ~jthread requests stop and joins, so the destructor is the default one. mu_ is a conclab::Mutex with
// CONCLAB_GUARDED_BY fields, checked by the clang-tsa preset. The other threads' calls use a copy of the
// jthread's stop_source (stop_), never thread_ itself, which stop() joins; the constructor starts the thread and
// makes that copy while holding mu_, which the worker takes before anything else, so a hook running on the
// worker thread cannot see stop_ half-set.
//
// Why condition_variable_any: std::condition_variable has no wait that takes a stop_token; a thread blocked
// in it sleeps through request_stop() until someone notifies that very condition variable.
//
// What an expert would still do differently in production:
//   - pass the stop_token to each task (std::function<void(std::stop_token)>) instead of making tasks ask
//     the worker, so a task can also hand it down to the blocking calls it makes;
//   - offer both endings: stop() that drops queued tasks (this one) and drain() that runs them first, and
//     report dropped tasks (or break their promises) so no caller waits for a result that will not come;
//   - bound the queue (submit blocks or fails when full: backpressure, lesson 09), and log a task's
//     exception instead of letting it end the program through std::terminate.
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
        // Returns false only if stop was requested with the queue still empty.
        if (!cv_.wait(lock, stop, [&]() CONCLAB_REQUIRES(mu_) { return !tasks_.empty(); })) break;
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
