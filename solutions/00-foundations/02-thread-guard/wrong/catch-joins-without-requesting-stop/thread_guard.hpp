// Lab 00.02 thread guard, WRONG (catch-joins-without-requesting-stop): a try/catch joins the thread on the
// exception path and rethrows, but forgets to request stop there.
//
// Why it looks right: it fixes the std::terminate (the thread is joined before it is destroyed), the exception
// reaches the caller unchanged, and the happy path still stops and joins. A background that is idle when
// foreground() throws finishes by itself, so ThreadGuardTest.ExceptionFromForegroundReachesTheCaller passes.
// Why it is wrong: a background that runs until it is told to stop never finishes, so the join in the catch
// block waits forever, and the exception never arrives. Two copies of "stop, then join" drift apart; that is
// what an RAII guard prevents. The explorer reports the deadlock on its first schedule
// (ThreadGuardTest.ForegroundThrowsThenTheBackgroundStopsAndIsJoined). The fix: one guard whose destructor
// requests stop and joins, or std::jthread.
#pragma once

#include <type_traits>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

template <class Background, class Foreground>
auto run_with_background(Background background, Foreground foreground) -> std::invoke_result_t<Foreground&> {
  sync::stop_source stop;
  sync::thread worker(std::move(background), stop.get_token());
  try {
    auto result = foreground();
    stop.request_stop();
    worker.join();
    return result;
  } catch (...) {
    worker.join();  // the bug: the background was never asked to stop, so this waits forever
    throw;
  }
}

}  // namespace lab
