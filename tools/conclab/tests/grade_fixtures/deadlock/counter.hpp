#pragma once
// Hostile fixture: a lock-order deadlock that happens every time. Each thread takes its first mutex, the
// latch makes sure both hold one, then each waits for the other's.
#include <latch>
#include <mutex>
#include <thread>
namespace lab {
class Counter {
 public:
  void add(long n) { std::lock_guard lock(mu_); count_ += n; }
  long value() const { std::lock_guard lock(mu_); return count_; }
  void add_concurrently(int, int) {
    std::mutex a, b;
    std::latch both(2);
    std::thread t1([&] { std::lock_guard la(a); both.arrive_and_wait(); std::lock_guard lb(b); });
    std::thread t2([&] { std::lock_guard lb(b); both.arrive_and_wait(); std::lock_guard la(a); });
    t1.join();
    t2.join();
  }
 private:
  mutable std::mutex mu_;
  long count_ = 0;
};
}  // namespace lab
