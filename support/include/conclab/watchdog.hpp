// A test's watchdog: a test whose failure mode is a hang (a deadlock, a lost wakeup) waits a bounded amount of
// real time for what a correct solution does in microseconds, then fails with a message that says what the hang
// means, instead of running into the runner's timeout, which prints nothing useful.
//
//   ASSERT_TRUE(conclab::returns_in_time([state] { state->bank.transfer(0, 0, 1); }, conclab::patience(3s)))
//       << "transfer() to the same account is blocked for good: ...";
//
// This is the one exception to "never assert on time": the patience decides nothing for correct code, only how
// long a broken one is given before the message. On a slow or busy machine (ThreadSanitizer, a grader running
// several programs on few cores) CONCLAB_TIMEOUT_SCALE, a number from 1 to 1000, multiplies every patience
// (CONCLAB_TIMEOUT_SCALE=3: 3 s become 9 s); anything else in it is ignored.
//
// Real threads and real time: for the default and ThreadSanitizer builds. In the sim build the explorer reports
// a deadlock itself, with the schedule.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>

namespace conclab {

// CONCLAB_TIMEOUT_SCALE, when it is a number from 1 to 1000; else 1.
inline double timeout_scale() {
  const char* text = std::getenv("CONCLAB_TIMEOUT_SCALE");
  if (text == nullptr) return 1.0;
  char* end = nullptr;
  const double scale = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(scale >= 1.0) || scale > 1000.0) return 1.0;
  return scale;
}

// `base`, times timeout_scale().
inline std::chrono::milliseconds patience(std::chrono::milliseconds base) {
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(static_cast<double>(base.count()) * timeout_scale()));
}

// Runs `call` on a thread of its own and waits for it up to `patience` of real time; returns whether it
// returned. If it did not, it is taken to be blocked for good: its thread is left behind, detached, so the test
// can fail with its own message and end. `call` must therefore own (by shared_ptr) everything it touches.
inline bool returns_in_time(std::function<void()> call, std::chrono::milliseconds patience) {
  auto finished = std::make_shared<std::promise<void>>();
  std::future<void> returned = finished->get_future();
  std::thread runner([call = std::move(call), finished] {
    call();
    finished->set_value();
  });
  if (returned.wait_for(patience) == std::future_status::ready) {
    runner.join();
    return true;
  }
  runner.detach();  // blocked for good; it owns what it uses
  return false;
}

// For a test whose threads it can free itself: if not disarmed within `patience` of real time, sets fired() and
// calls `rescue` on a thread of its own (which unblocks the test's threads, e.g. by requesting stop, releasing a
// permit or moving a fake clock far ahead), so the test goes on to fail with its message.
//
//   conclab::Watchdog watchdog(kPatience, [&] { call.unblock(); });
//   ... wait for what a correct solution does at once ...
//   watchdog.disarm();
//   ASSERT_FALSE(watchdog.fired()) << "what the hang means";
class Watchdog {
 public:
  Watchdog(std::chrono::milliseconds patience, std::function<void()> rescue)
      : thread_([this, patience, rescue = std::move(rescue)](std::stop_token disarmed) {
          std::mutex mu;
          std::condition_variable_any cv;
          std::unique_lock lock(mu);
          cv.wait_for(lock, disarmed, patience, [] { return false; });  // ends on disarm() or after patience
          if (disarmed.stop_requested()) return;
          fired_.store(true);
          lock.unlock();
          rescue();
        }) {}
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() { disarm(); }

  // Returns once the watchdog can no longer fire (and, if it fired, once `rescue` has returned).
  void disarm() {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
  }
  bool fired() const { return fired_.load(); }

 private:
  std::atomic<bool> fired_{false};
  std::jthread thread_;  // declared last: it starts once fired_ exists
};

}  // namespace conclab
