#pragma once
#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Counter {
 public:
  void add() {
    n_.fetch_add(1);
  }
  int value() const { return n_.load(); }

 private:
  sync::atomic<int> n_{0};
};

}  // namespace lab
