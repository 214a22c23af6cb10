#pragma once
// Hostile fixture: starts sleeping threads until the system says no.
#include <chrono>
#include <mutex>
#include <thread>
namespace lab {
class Counter {
 public:
  void add(long n) { std::lock_guard lock(mu_); count_ += n; }
  long value() const { std::lock_guard lock(mu_); return count_; }
  void add_concurrently(int, int) {
    for (;;) std::thread([] { std::this_thread::sleep_for(std::chrono::hours(1)); }).detach();
  }
 private:
  mutable std::mutex mu_;
  long count_ = 0;
};
}  // namespace lab
