// Lab 00.02 thread guard, NAIVE: start a std::thread, run the foreground, then stop and join.
//
// The mistake people really make: the code reads top to bottom and is right on the path you test by
// hand. Start the worker, do the work, tell the worker to stop, join it. But the join is an ordinary
// statement after foreground(), and an exception skips it. Unwinding then destroys `worker` while it
// is still joinable, and std::thread's destructor calls std::terminate: the whole program dies with
// "terminate called without an active exception" (the exception is still on its way to a handler,
// so from terminate's point of view none is active yet). The caller's catch block never runs.
//
// A try/catch that joins and rethrows would patch this one function, but every early return and every
// new throwing call must then remember the join. The fix is to tie the join to a destructor (improved).
//
// Lesson: modules/00-foundations/02-threads.md ("The trap").
#pragma once

#include <type_traits>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Contract (the lab's): background(stop_token) runs on a new thread while foreground() runs on the
// caller's; when foreground() returns or throws, the background is asked to stop and joined; the
// foreground's result or exception reaches the caller. This version keeps the contract only when
// foreground() returns.
template <class Background, class Foreground>
auto run_with_background(Background background, Foreground foreground) -> std::invoke_result_t<Foreground&> {
  sync::stop_source stop;
  sync::thread worker(std::move(background), stop.get_token());
  auto result = foreground();  // if this throws, ~thread() on a joinable thread: std::terminate
  stop.request_stop();
  worker.join();
  return result;
}

}  // namespace lab
