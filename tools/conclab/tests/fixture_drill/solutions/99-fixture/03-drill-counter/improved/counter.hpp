#pragma once
#include <mutex>
#include "conclab/run_threads.hpp"
namespace lab {
class Counter {
 public:
  void add(long n) { std::lock_guard lock(mu_); count_ += n; }
  long value() const { std::lock_guard lock(mu_); return count_; }
  void add_concurrently(int threads, int each) {
    conclab::run_threads(threads, [&](int) { for (int i = 0; i < each; ++i) add(1); });
  }
 private:
  mutable std::mutex mu_;
  long count_ = 0;
};
}  // namespace lab
