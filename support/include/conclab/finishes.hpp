// conclab::finishes_in_time(body, patience): runs a test's scene to its end, wherever the test is built.
//
//   ASSERT_TRUE(conclab::finishes_in_time([s] { ... }, kPatience)) << "what a hang here means";
//
// In the sim build the body runs as it is: the explorer owns the scheduling and reports a deadlock or a lost
// wakeup itself, with the schedule, so there is nothing to time. In the other builds it runs under
// returns_in_time (conclab/watchdog.hpp): a thread nobody wakes makes it return false after `patience`, so the
// test fails with its own words instead of running into the lab's timeout. `body` must own what it uses (a
// shared_ptr): if it never returns, its thread is left behind.
#pragma once

#include <chrono>
#include <functional>
#include <utility>

#include "conclab/sync.hpp"
#include "conclab/watchdog.hpp"

namespace conclab {

inline bool finishes_in_time(std::function<void()> body, std::chrono::milliseconds patience) {
  if (sync::kSimulated) {
    body();
    return true;
  }
  return returns_in_time(std::move(body), patience);
}

}  // namespace conclab
