// Lab 01.07 promise pipe, WRONG (catch-only-std-exception): the job wrapper catches `const std::exception&`.
//
// Why it looks right: every exception the standard library throws, and every one a careful programmer
// writes, derives from std::exception, so `catch (const std::exception&)` looks like "catch everything", and
// the ParseError and runtime_error tests pass. Why it is wrong: C++ can throw any type (an int, an error
// struct, a library's own hierarchy). Such an exception goes past the catch, out of the worker thread's
// function, and std::terminate ends the whole program: one bad job kills every caller. The test
// PromisePipeTest.NonStdExceptionReachesTheCaller throws a struct that is not a std::exception; the program
// dies on every run, and the test's terminate handler says why. The fix: `catch (...)` with
// set_exception(std::current_exception()), which carries any type (or std::packaged_task, which does it for you).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <type_traits>
#include <utility>

#include <conclab/sync.hpp>

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
    auto promise = std::make_shared<std::promise<R>>();
    Result<R> result(promise->get_future());
    enqueue([promise, fn = std::move(fn)]() mutable {
      try {
        promise->set_value(fn());
      } catch (const std::exception&) {  // BUG: anything not derived from std::exception escapes the thread
        promise->set_exception(std::current_exception());
      }
    });
    return result;
  }

  std::size_t discard_pending() {
    std::deque<std::function<void()>> dropped;
    {
      sync::lock_guard lock(mu_);
      dropped.swap(jobs_);
    }
    // Destroyed here, outside the lock: each job's destructor breaks its promise and may wake a caller.
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
