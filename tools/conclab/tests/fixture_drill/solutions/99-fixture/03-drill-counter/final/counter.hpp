#pragma once
#include <atomic>
#include "conclab/run_threads.hpp"
namespace lab {
class Counter {
 public:
  void add(long n) { count_.fetch_add(n, std::memory_order_relaxed); }  // relaxed: read only after join
  long value() const { return count_.load(); }
  void add_concurrently(int threads, int each) {
    conclab::run_threads(threads, [&](int) { for (int i = 0; i < each; ++i) add(1); });
  }
 private:
  std::atomic<long> count_{0};
};
}  // namespace lab
