// Lab 00.02 thread guard, WRONG (guard-joins-without-requesting-stop): the RAII guard joins the thread in its
// destructor, but never asks it to stop.
//
// Why it looks right: it is the classic thread_guard (if joinable, join), it fixes the std::terminate on the
// exception path, and a background that finishes by itself passes every test that uses one. Why it is wrong:
// this lab's background runs until its stop_token says stop, and nobody ever requests it, so join() waits
// forever: the caller hangs, on the happy path and on the exception path alike. The explorer reports the
// deadlock on its first schedule (ThreadGuardTest.ForegroundReturnsThenTheBackgroundStopsAndIsJoined and
// ThreadGuardTest.ForegroundThrowsThenTheBackgroundStopsAndIsJoined). The fix: stop_.request_stop() before
// the join.
#pragma once

#include <type_traits>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class StoppingThread {
 public:
  template <class F>
  explicit StoppingThread(F&& f) : stop_(), thread_(std::forward<F>(f), stop_.get_token()) {}

  ~StoppingThread() {
    if (thread_.joinable()) thread_.join();  // the bug: waits for a thread that nobody told to stop
  }

  StoppingThread(const StoppingThread&) = delete;
  StoppingThread& operator=(const StoppingThread&) = delete;

 private:
  sync::stop_source stop_;
  sync::thread thread_;
};

template <class Background, class Foreground>
auto run_with_background(Background background, Foreground foreground) -> std::invoke_result_t<Foreground&> {
  StoppingThread worker(std::move(background));
  return foreground();
}

}  // namespace lab
