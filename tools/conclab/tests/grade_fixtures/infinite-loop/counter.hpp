#pragma once
// Hostile fixture: an endless busy loop.
#include <mutex>
namespace lab {
class Counter {
 public:
  void add(long n) { std::lock_guard lock(mu_); count_ += n; }
  long value() const { std::lock_guard lock(mu_); return count_; }
  void add_concurrently(int, int) {
    volatile bool forever = true;
    while (forever) {
    }
  }
 private:
  mutable std::mutex mu_;
  long count_ = 0;
};
}  // namespace lab
