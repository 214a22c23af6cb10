// Lab 00.02 thread guard, WRONG (jthread-given-its-own-stop-source): the starter's std::thread became a
// std::jthread, but the starter's stop_source stayed, and its token is passed to the background by hand.
//
// Why it looks right: std::jthread requests stop and joins in its destructor, on every path, which is the whole
// fix, and `sync::jthread worker(std::move(background), stop.get_token());` compiles and starts the background
// with a stop_token, as before. Why it is wrong: a jthread passes ITS OWN token only when the function can take
// it as an extra first argument; background takes just one, so jthread calls background(stop.get_token()) with
// the token of `stop`, which nobody ever requests. ~jthread requests stop on its own stop_source, which the
// background never looks at, and join() waits forever, on the happy path and on the exception path. The
// explorer reports the deadlock on its first schedule (ThreadGuardTest.ForegroundReturnsThenTheBackgroundStops-
// AndIsJoined and ThreadGuardTest.ForegroundThrowsThenTheBackgroundStopsAndIsJoined). The fix: drop the
// stop_source and the extra argument, `sync::jthread worker(std::move(background));`.
#pragma once

#include <type_traits>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

template <class Background, class Foreground>
auto run_with_background(Background background, Foreground foreground) -> std::invoke_result_t<Foreground&> {
  sync::stop_source stop;
  sync::jthread worker(std::move(background), stop.get_token());  // the bug: background watches `stop`, not worker's
  return foreground();  // ~jthread: request_stop() on its own stop_source, then a join that never returns
}

}  // namespace lab
