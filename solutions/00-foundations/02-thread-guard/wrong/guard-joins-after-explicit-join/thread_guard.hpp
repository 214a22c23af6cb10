// Lab 00.02 thread guard, WRONG (guard-joins-after-explicit-join): a guard that holds references to the starter's
// thread and stop_source stops and joins in its destructor without checking joinable(), and the starter's
// request_stop() and join() after foreground() are still there, so on the happy path the thread is joined twice.
//
// Why it looks right: the exception path is now correct (the explicit join is skipped and the guard joins
// once), and that is the path the starter's tests complained about; the explicit lines look harmless, "to be
// safe". Why it is wrong: when foreground() returns, the explicit join() runs, and then ~ThreadGuard joins a
// thread that is no longer joinable. join() throws std::system_error, a destructor is noexcept, so
// std::terminate ends the program on the path that used to work. Every happy-path test dies of SIGABRT (the
// test program says why), and the explorer names the second join
// (ThreadGuardTest.ForegroundReturnsThenTheBackgroundStopsAndIsJoined). The fix: one owner of the join, the
// guard: delete the explicit lines, and join only `if (t_.joinable())`.
#pragma once

#include <type_traits>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class ThreadGuard {
 public:
  ThreadGuard(sync::thread& t, sync::stop_source& stop) : t_(t), stop_(stop) {}
  ~ThreadGuard() {
    stop_.request_stop();
    t_.join();  // the bug: no joinable() check, and the thread may already have been joined
  }
  ThreadGuard(const ThreadGuard&) = delete;
  ThreadGuard& operator=(const ThreadGuard&) = delete;

 private:
  sync::thread& t_;
  sync::stop_source& stop_;
};

template <class Background, class Foreground>
auto run_with_background(Background background, Foreground foreground) -> std::invoke_result_t<Foreground&> {
  sync::stop_source stop;
  sync::thread worker(std::move(background), stop.get_token());
  ThreadGuard guard(worker, stop);
  auto result = foreground();
  stop.request_stop();
  worker.join();  // kept from the starter: ~ThreadGuard then joins a second time
  return result;
}

}  // namespace lab
