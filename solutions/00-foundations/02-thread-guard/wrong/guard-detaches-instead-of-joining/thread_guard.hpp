// Lab 00.02 thread guard, WRONG (guard-detaches-instead-of-joining): the RAII guard requests stop and then
// detach()es the thread instead of joining it.
//
// Why it looks right: the destructor runs on every path, the thread is asked to stop, and a detached thread is
// not joinable, so std::terminate is never called: every path "works", and it is even faster (nobody waits).
// Why it is wrong: after detach() nothing waits for the background. run_with_background returns (or throws)
// while the background may still be running, writing into variables of the caller that are gone or being read
// at that moment: a data race, and a use after the end of their lifetime. A test on real threads sees it only
// when the background happens to be slow; the explorer runs the schedule where the caller reads first
// (ThreadGuardTest.ForegroundReturnsThenTheBackgroundStopsAndIsJoined and
// ThreadGuardTest.ForegroundThrowsThenTheBackgroundStopsAndIsJoined). The fix: join() after request_stop()
// (Core Guidelines CP.26: do not detach).
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
    stop_.request_stop();
    if (thread_.joinable()) thread_.detach();  // the bug: nobody waits for the background to finish
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
