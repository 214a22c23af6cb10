#pragma once
#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Counter {
 public:
  void add() {
    sync::lock_guard lock(mu_);
    n_.store(n_.load() + 1);
  }
  int value() const { return n_.load(); }

 private:
  sync::atomic<int> n_{0};
  sync::mutex mu_;
};

}  // namespace lab
