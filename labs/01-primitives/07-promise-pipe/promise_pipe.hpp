// Lab 01.07: hand a result, or an error, from a worker thread to the caller
// (lesson: modules/01-primitives/07-futures-and-async.md).
//
// Worker runs jobs on its own thread; submit() must give the caller a Result through which the job's value,
// or the exception it threw, arrives safely. The queue and the thread are done for you: the change points
// are in Result and in submit(), each marked TODO(lab).
//
// sync:: is conclab::sync (conclab/sync.hpp): std's primitives under the course's names (sync::thread is
// std::thread, sync::mutex is std::mutex, and so on), instrumented in the sim build so that the course's
// explorer can try every schedule of the threads (module 01's README says more).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Result<T>: the caller's end of a one-shot pipe from the worker thread.
//
// Contract: owned and used by one thread (the caller); movable, not copyable.
//   - get() blocks until the job has finished, then returns its value or rethrows the exception it threw
//     (same type, same message); a job that was discarded before it ran throws std::future_error with code
//     std::future_errc::broken_promise. Call get() at most once.
//   - ready() never blocks: true once get() would return (or throw) without waiting. Not after get().
//   - Happens-before: everything the job did before it returned is visible to the caller after get().
template <class T>
class Result {
 public:
  Result() = default;
  // TODO(lab): a constructor that takes the caller's end of the pipe (the standard library has a type
  //            made for exactly this).

  T get() {
    // TODO(lab): wait until the job has finished, then return its value or rethrow its exception.
    throw std::logic_error("Result::get() is not implemented yet (see the TODO(lab) in promise_pipe.hpp)");
  }

  bool ready() const {
    // TODO(lab): without blocking, report whether get() would return (or throw) at once.
    return false;
  }

 private:
  // TODO(lab): the caller's end of the pipe.
};

// Worker: one background thread that runs submitted jobs, one at a time, in submission order.
//
// Contract:
//   - submit() and discard_pending() may be called from any thread, concurrently.
//   - submit(fn) queues fn and returns the Result through which the caller gets fn's value or exception.
//     fn must be copyable and return a value (not void).
//   - discard_pending() drops the jobs that have not started yet and returns how many; their Results
//     report std::future_error(broken_promise). The job already running is not affected.
//   - The destructor runs every job still queued, then joins the thread.
//   - A job must not get() the Result of a job queued after it: the worker would wait for itself.
class Worker {
 public:
  Worker() : thread_([this] { run(); }) {}
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  ~Worker() {
    {
      sync::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

  template <class F>
  auto submit(F fn) -> Result<std::invoke_result_t<F&>> {
    using R = std::invoke_result_t<F&>;
    static_assert(!std::is_void_v<R>, "lab::Worker::submit: the job must return a value");
    // TODO(lab): create the pipe here: the job (below) keeps the worker's end, the Result the caller's end.
    enqueue([fn = std::move(fn)]() mutable {
      // TODO(lab): hand fn's value, or the exception it throws, to the caller's Result. The value is
      //            thrown away now, and so is any exception: one that escaped this lambda would end the
      //            program with std::terminate.
      try {
        (void)fn();
      } catch (...) {
      }
    });
    return Result<R>();  // TODO(lab): return a Result connected to the job.
  }

  std::size_t discard_pending() {
    std::deque<std::function<void()>> dropped;
    {
      sync::lock_guard lock(mu_);
      dropped.swap(jobs_);
    }
    // TODO(lab): each dropped job's caller must learn that no answer will come (broken_promise). If the job
    //            owns the worker's end of the pipe, destroying it here (outside the lock) can do that for you.
    return dropped.size();
  }

 private:
  void enqueue(std::function<void()> job) {
    {
      sync::lock_guard lock(mu_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
  }

  void run() {
    for (;;) {
      std::function<void()> job;
      {
        sync::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping, and everything queued has run
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();  // outside the lock: a job may take long, or submit another job
    }
  }

  sync::mutex mu_;
  sync::condition_variable cv_;              // "a job was queued, or the worker is stopping"
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  sync::thread thread_;                      // last: starts after the fields above exist
};

}  // namespace lab
