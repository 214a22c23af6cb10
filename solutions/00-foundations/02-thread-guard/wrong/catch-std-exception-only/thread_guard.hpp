// Lab 00.02 thread guard, WRONG (catch-std-exception-only): a try/catch stops and joins the thread on the
// exception path, but catches only `const std::exception&`.
//
// Why it looks right: every exception the standard library throws derives from std::exception, the catch block
// stops, joins and rethrows the original with `throw;`, and every test that throws std::runtime_error passes.
// Why it is wrong: C++ can throw anything: an int, an error struct of a library that does not derive from
// std::exception, a cancellation type. Such an exception passes the catch block by, unwinding destroys the
// still-joinable std::thread, and std::terminate ends the program. ThreadGuardTest.ExceptionOfAnyTypeReaches-
// TheCaller throws a struct and fails with signal 6. The fix: an RAII guard (or std::jthread) does not care what
// is thrown; a hand-written handler would need catch (...).
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
  } catch (const std::exception&) {  // the bug: anything else skips the join, and ~thread() terminates
    stop.request_stop();
    worker.join();
    throw;
  }
}

}  // namespace lab
