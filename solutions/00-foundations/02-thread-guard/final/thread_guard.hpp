// Lab 00.02 thread guard, FINAL: std::jthread, which is the guard.
//
// What changed from improved, and why: C++20's std::jthread does exactly what StoppingThread did, and
// is standard, movable and known to every reader. It owns a std::stop_source; when the callable takes a
// std::stop_token as its first parameter, jthread passes its own token; and its destructor calls
// request_stop() and then join(). So the hand-written guard is gone: one line starts the background, and
// every way out of the function (return or exception) stops and joins it. It also handles a void
// foreground() for free, because nothing has to run after foreground() any more.
//
// What an expert would still do differently in production:
//   - Background exceptions. An exception escaping the background function calls std::terminate, like
//     the destructor trap. Production code catches it on the background thread, stores it in a
//     std::exception_ptr and rethrows it to the caller after the join (module 04, task-group lab).
//   - Responsiveness. The destructor blocks until the background returns; a background that checks its
//     token only every few seconds makes every exception take seconds to arrive. Waits inside the
//     background should be interruptible: std::condition_variable_any::wait(lock, token, pred).
//   - Cost. Starting and joining a thread per call costs about 50 us here (measured in the lesson); a
//     server would hand the background work to a long-lived pool and keep only the stop request per call.
//
// Lesson: modules/00-foundations/02-threads.md ("std::jthread").
#pragma once

#include <type_traits>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Contract: background(std::stop_token) runs on a new thread while foreground() runs on the caller's.
// When foreground() returns or throws, the background is asked to stop and then joined, so everything
// it did happens-before run_with_background returns or throws. foreground's result or exception reaches
// the caller unchanged. Reentrant: no shared state between calls.
template <class Background, class Foreground>
auto run_with_background(Background background, Foreground foreground) -> std::invoke_result_t<Foreground&> {
  sync::jthread worker(std::move(background));  // passes worker.get_stop_token() to background
  return foreground();                          // ~jthread: request_stop(), then join(), on every path
}

}  // namespace lab
