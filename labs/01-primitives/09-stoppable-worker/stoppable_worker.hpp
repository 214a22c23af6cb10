// Lab 01.09: a worker thread that can be stopped promptly
// (lesson: modules/01-primitives/08-jthread-and-stop-tokens.md).
//
// The queue and the loop that runs tasks are done. What is missing is stopping: request_stop(),
// stop_requested(), stop(), refusing tasks after a stop request, and a wait that a stop request ends.
// Every change point is marked TODO(lab).
//
// sync:: is conclab::sync (conclab/sync.hpp): std's primitives under the course's names. sync::jthread is
// std::jthread, sync::condition_variable_any is std::condition_variable_any, and so on; in the sim build they
// are instrumented, and the explorer runs the sim tests on every schedule of the worker and its owner.
#pragma once

#include <deque>
#include <functional>
#include <stdexcept>
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

  ~Worker() {
    // TODO(lab): call stop(). This placeholder queues an empty task that ends the loop after every task
    //            queued before it has run: it drains instead of stopping, and cannot interrupt a long task.
    {
      sync::lock_guard lock(mu_);
      tasks_.push_back(nullptr);
    }
    cv_.notify_one();
    thread_.join();
  }

  bool submit(std::function<void()> task) {
    {
      sync::lock_guard lock(mu_);
      // TODO(lab): once stop has been requested, refuse the task (return false).
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
  }

  void request_stop() {
    // TODO(lab): record the request so that the worker, and tasks polling stop_requested(), see it, and
    //            wake the worker if it is waiting for work. Watch out for the notify that lands between the
    //            worker's check and its sleep (the lesson draws it).
    throw std::logic_error("Worker::request_stop is not implemented yet (see the TODO(lab) in stoppable_worker.hpp)");
  }

  bool stop_requested() const {
    // TODO(lab): true once stop has been requested. Tasks on the worker thread call this while other threads
    //            call request_stop(): a plain bool would be a data race.
    throw std::logic_error("Worker::stop_requested is not implemented yet (see the TODO(lab) in stoppable_worker.hpp)");
  }

  void stop() {
    // TODO(lab): request stop, then wait for the worker thread to exit (only once).
    throw std::logic_error("Worker::stop is not implemented yet (see the TODO(lab) in stoppable_worker.hpp)");
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> task;
      {
        sync::unique_lock lock(mu_);
        if (tasks_.empty() && hooks_.on_idle) hooks_.on_idle();  // TODO(lab): not once stop was requested
        // TODO(lab): also stop waiting when stop is requested, and then return without running what is queued.
        cv_.wait(lock, [&] { return !tasks_.empty(); });
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      if (!task) return;  // the placeholder in ~Worker()   TODO(lab): remove with the placeholder
      task();
    }
  }

  const WorkerHooks hooks_;

  sync::mutex mu_;
  sync::condition_variable cv_;              // "a task is queued"   TODO(lab): or "stop was requested"
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  // TODO(lab): the stop state (a flag that is safe to read from any thread, or a sync::stop_source).
  sync::thread thread_;  // last: starts after the fields above exist   (sync::jthread is worth a look)
};

}  // namespace lab
