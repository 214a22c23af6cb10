// Lab 00.02 thread guard, WRONG (rethrow-sliced-copy): a try/catch stops and joins the thread on the exception
// path, then rethrows with `throw e;` instead of `throw;`.
//
// Why it looks right: `catch (const std::exception& e) { ...; throw e; }` reads as "throw the same exception
// again", and the caller does get an exception whose type is at least std::exception. Why it is wrong: `throw
// e;` throws a COPY of e made from its static type, std::exception: the std::runtime_error("disk full") is
// sliced to a plain std::exception whose what() is "std::exception", and a caller's catch
// (const std::runtime_error&) no longer matches. And an exception not derived from std::exception is not caught
// at all, so the std::thread is destroyed joinable and std::terminate ends the program.
// ThreadGuardTest.ExceptionFromForegroundReachesTheCaller, ThreadGuardTest.ExceptionPathStopsAndJoinsBackground
// and ThreadGuardTest.ExceptionOfAnyTypeReachesTheCaller fail, and so does the explorer's
// ThreadGuardTest.ForegroundThrowsThenTheBackgroundStopsAndIsJoined. The fix: `throw;` rethrows the original
// object; better, an RAII guard or std::jthread, which let the exception pass untouched.
#pragma once

#include <exception>
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
  } catch (const std::exception& e) {
    stop.request_stop();
    worker.join();
    throw e;  // the bug: throws a std::exception copied from e, not the original (and other types skip the join)
  }
}

}  // namespace lab
