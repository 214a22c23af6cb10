// final: std::packaged_task does the hand-off; the queue is annotated so clang can check its locking.
//
// Changed from improved: instead of a std::promise plus a hand-written try/catch around the job, submit()
// wraps the job in a std::packaged_task<R()>. Calling the task runs the job and stores either its return
// value or the exception it threw in the task's shared state, the same way improved did by hand, but with
// nothing to forget (a catch clause that is missing, or that catches only std::exception). Destroying a task
// that never ran breaks its promise, so discard_pending() still reports broken_promise. The task also
// accepts a move-only job (one that owns a std::unique_ptr, say), which improved's copyable lambda could
// not. The queue's mutex is a conclab::Mutex with CONCLAB_GUARDED_BY, so `-Wthread-safety` (the clang-tsa
// preset) proves that jobs_ and stopping_ are only touched under mu_. The thread is a jthread (it joins in its
// destructor, so ~Worker cannot forget to); the "drain, then stop" flag stays a bool under mu_ (see stopping_).
//
// What an expert would still do differently in production:
//   - store jobs as std::move_only_function<void()> (C++23) and skip the shared_ptr around each task;
//   - offer continuations (`then`, `when_all`) instead of a blocking get(): lab 04.07 builds them;
//   - use a pool of workers with a bounded queue (submit() that blocks or fails when full), and give each
//     job a stop_token so discarding can also cancel the job that is already running;
//   - never block a worker on the result of a job queued behind it (the one-thread worker deadlocks).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <type_traits>
#include <utility>

#include "conclab/annotated_mutex.hpp"
#include "conclab/sync.hpp"

namespace lab {
namespace sync = conclab::sync;

// Result<T>: the caller's end of a one-shot pipe from the worker thread.
//
// Contract: owned and used by one thread (the caller); movable, not copyable.
//   - get() blocks until the job has finished, then returns its value or rethrows the exception it threw;
//     a job that was discarded before it ran throws std::future_error with code broken_promise.
//     Call get() at most once.
//   - ready() never blocks: true once get() would return (or throw) without waiting. Not after get().
//   - Happens-before: everything the job did before it returned is visible to the caller after get().
template <class T>
class Result {
 public:
  Result() = default;
  explicit Result(std::future<T> future) : future_(std::move(future)) {}

  T get() { return future_.get(); }

  bool ready() const { return future_.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }

 private:
  std::future<T> future_;
};

// Worker: one background thread that runs submitted jobs, one at a time, in submission order.
//
// Contract:
//   - submit() and discard_pending() may be called from any thread, concurrently.
//   - submit(fn) queues fn and returns the Result through which the caller gets fn's value or exception.
//     fn must return a value (not void); it may be move-only.
//   - discard_pending() drops the jobs that have not started yet and returns how many; their Results
//     report std::future_error(broken_promise). The job already running is not affected.
//   - The destructor runs every job still queued, then joins the thread.
//   - A job must not get() the Result of a job queued after it: the worker would wait for itself.
class Worker {
 public:
  Worker() : thread_([this] { run(); }) {}
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Lets the worker run what is queued, then joins it: thread_, the last member, is destroyed first, and a
  // jthread joins in its destructor (its stop request is unused: see stopping_ below).
  ~Worker() {
    {
      conclab::MutexLock lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
  }

  template <class F>
  auto submit(F fn) -> Result<std::invoke_result_t<F&>> {
    using R = std::invoke_result_t<F&>;
    static_assert(!std::is_void_v<R>, "lab::Worker::submit: the job must return a value");
    // The task's shared state pairs its store (when the task runs) with get() in the caller.
    auto task = std::make_shared<std::packaged_task<R()>>(std::move(fn));
    Result<R> result(task->get_future());
    enqueue([task] { (*task)(); });
    return result;
  }

  std::size_t discard_pending() {
    std::deque<std::function<void()>> dropped;
    {
      conclab::MutexLock lock(mu_);
      dropped.swap(jobs_);
    }
    // Destroyed here, outside the lock: each unrun task breaks its promise and may wake a caller.
    return dropped.size();
  }

 private:
  void enqueue(std::function<void()> job) {
    {
      conclab::MutexLock lock(mu_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
  }

  void run() {
    for (;;) {
      std::function<void()> job;
      {
        conclab::MutexLock lock(mu_);
        cv_.wait(lock, [&]() CONCLAB_REQUIRES(mu_) { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping, and everything queued has run
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();  // outside the lock: a job may take long, or submit another job
    }
  }

  conclab::Mutex mu_;
  conclab::CondVar cv_;                                          // "a job was queued, or stopping"
  std::deque<std::function<void()>> jobs_ CONCLAB_GUARDED_BY(mu_);
  // "Finish the queue, then return", set by ~Worker. Not the jthread's stop_token: a stop request means "stop
  // now", and this worker must drain its queue first; the wait also sits on a CondVar (a condition_variable for
  // -Wthread-safety), which has no stop_token overload. So the flag lives under mu_, next to the queue it
  // describes, and the jthread is there for its joining destructor.
  bool stopping_ CONCLAB_GUARDED_BY(mu_) = false;
  sync::jthread thread_;  // last: starts after the fields above exist, and is joined before they go
};

}  // namespace lab
