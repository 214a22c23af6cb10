#pragma once
// Hostile fixture: a write through a null pointer.
#include <mutex>
namespace lab {
class Counter {
 public:
  void add(long n) { std::lock_guard lock(mu_); count_ += n; }
  long value() const { std::lock_guard lock(mu_); return count_; }
  void add_concurrently(int, int) {
    volatile long* nowhere = nullptr;
    *nowhere = 42;
  }
 private:
  mutable std::mutex mu_;
  long count_ = 0;
};
}  // namespace lab
