#pragma once
#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Counter {
 public:
  void add() {
    // TODO(lab): add one, safely from any number of threads.
  }
  int value() const { return n_.load(); }

 private:
  sync::atomic<int> n_{0};
};

}  // namespace lab
