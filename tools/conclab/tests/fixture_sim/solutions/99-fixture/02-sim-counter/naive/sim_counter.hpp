#pragma once
#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Counter {
 public:
  void add() {
    n_.store(n_.load() + 1);  // two threads can both load the same value
  }
  int value() const { return n_.load(); }

 private:
  sync::atomic<int> n_{0};
};

}  // namespace lab
