#pragma once
#include <atomic>

namespace lab {

class Counter {
 public:
  void add() { n_.fetch_add(1); }
  int value() const { return n_.load(); }

 private:
  std::atomic<int> n_{0};
};

}  // namespace lab
