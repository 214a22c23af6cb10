#pragma once
// Hostile fixture: prints without end.
#include <cstdio>
#include <mutex>
namespace lab {
class Counter {
 public:
  void add(long n) { std::lock_guard lock(mu_); count_ += n; }
  long value() const { std::lock_guard lock(mu_); return count_; }
  void add_concurrently(int, int) {
    for (;;) std::fputs("flood flood flood flood flood flood flood flood flood flood flood flood flood flood\n", stdout);
  }
 private:
  mutable std::mutex mu_;
  long count_ = 0;
};
}  // namespace lab
