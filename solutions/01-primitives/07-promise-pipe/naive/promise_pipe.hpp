// naive: the job writes its result into a shared variable and sets a plain `bool done`; get() spins on it.
//
// This is the hand-off people write before they know std::future: "the worker stores the answer, then
// raises a flag; the caller waits for the flag, then reads the answer". It looks right and usually prints
// the right number on x86, but:
//   - `done` and `value` are plain variables written by one thread and read by another with nothing that
//     orders the accesses: a data race, so undefined behaviour. The compiler may keep `done` in a register
//     or reorder the write of `value` after the write of `done`; ThreadSanitizer reports it on every run.
//     The spin loop also burns a core while it waits.
//   - Errors are lost. An exception escaping the worker thread would call std::terminate, so the job
//     catches everything, and the caller gets a default-constructed T as if the job had succeeded.
//   - A job that never runs (discard_pending()) never raises the flag: its caller's get() spins forever,
//     and ready() stays false. Nothing tells the caller that no answer will ever come.
// improved replaces all three with std::promise / std::future.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// The slot a job writes its answer into. Deliberately unsynchronised: this is the bug.
template <class T>
struct Slot {
  T value{};
  bool done = false;
};

// Result<T>: the caller's end of a one-shot pipe from the worker thread (same contract as improved; naive
// breaks it: racy, errors lost, waits forever for a discarded job).
template <class T>
class Result {
 public:
  Result() = default;
  explicit Result(std::shared_ptr<Slot<T>> slot) : slot_(std::move(slot)) {}

  T get() {
    while (!slot_->done) sync::this_thread::yield();  // data race: plain read of a flag another thread writes
    return std::move(slot_->value);                  // data race: nothing orders this after the job's write
  }

  bool ready() const { return slot_->done; }  // data race, as above

 private:
  std::shared_ptr<Slot<T>> slot_;
};

// Worker: one background thread that runs submitted jobs, one at a time, in submission order.
// (The queue and the thread are the same in every version; only the result hand-off differs.)
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
    auto slot = std::make_shared<Slot<R>>();
    enqueue([slot, fn = std::move(fn)]() mutable {
      try {
        slot->value = fn();
      } catch (...) {
        // An exception must not escape the worker thread (std::terminate), so swallow it. The caller
        // cannot tell: it gets a default-constructed value.
      }
      slot->done = true;  // plain write: nothing makes it, or `value`, visible to the caller in order
    });
    return Result<R>(std::move(slot));
  }

  std::size_t discard_pending() {
    std::deque<std::function<void()>> dropped;
    {
      sync::lock_guard lock(mu_);
      dropped.swap(jobs_);
    }
    return dropped.size();  // their slots are never marked done: their callers wait forever
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
      job();
    }
  }

  sync::mutex mu_;
  sync::condition_variable cv_;              // "a job was queued, or the worker is stopping"
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  sync::thread thread_;                      // last: starts after the fields above exist
};

}  // namespace lab
