// Lab 00.02 thread guard, IMPROVED: an RAII guard stops and joins the thread in its destructor.
//
// What changed from naive, and why: "stop, then join" moved out of the function body into the
// destructor of StoppingThread. C++ runs destructors of local objects on every way out of a scope
// (return, exception, break), so the join can no longer be skipped: when foreground() throws, unwinding
// destroys the guard, which asks the background to stop, joins it, and the exception continues to the
// caller. This is RAII, the same idea as std::lock_guard (Core Guidelines CP.25: prefer a joining
// thread; CP.26: don't detach).
//
// Two details that matter:
//   - The guard owns the stop_source too, and declares it BEFORE the thread. Members are constructed in
//     declaration order and destroyed in reverse, so the token exists before the thread starts using
//     it and outlives the join.
//   - The destructor must request stop before joining. A guard that only joins would wait forever for
//     a background that runs until it is told to stop, and during unwinding, that is a silent hang.
//
// Lesson: modules/00-foundations/02-threads.md ("RAII guards").
#pragma once

#include <type_traits>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// A thread that is asked to stop and joined when the object is destroyed.
//
// Contract: construct it with a callable taking std::stop_token; the callable starts on a new thread at
// once. The destructor calls request_stop() on the thread's token and then joins, so everything the
// thread did happens-before the destructor returns. Not copyable or movable (one owner, one join).
// Not thread-safe: one thread constructs and destroys it. The destructor blocks until the thread
// returns, so the callable must check its token and return soon after a stop request.
class StoppingThread {
 public:
  template <class F>
  explicit StoppingThread(F&& f) : stop_(), thread_(std::forward<F>(f), stop_.get_token()) {}

  ~StoppingThread() {
    stop_.request_stop();
    if (thread_.joinable()) thread_.join();
  }

  StoppingThread(const StoppingThread&) = delete;
  StoppingThread& operator=(const StoppingThread&) = delete;

 private:
  sync::stop_source stop_;  // declared first: built before thread_ starts, destroyed after the join
  sync::thread thread_;
};

template <class Background, class Foreground>
auto run_with_background(Background background, Foreground foreground) -> std::invoke_result_t<Foreground&> {
  StoppingThread worker(std::move(background));
  return foreground();  // on return or throw, ~StoppingThread stops and joins the background
}

}  // namespace lab
