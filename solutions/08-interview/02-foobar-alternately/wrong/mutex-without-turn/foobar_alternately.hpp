// Drill 08.02, WRONG: each print under one mutex, and no turn at all.
//
// Why it looks right: "the two threads must not print at the same time" is the first thing that comes to mind,
// and a mutex stops exactly that; in a test with a print that takes a while the threads often do alternate.
// Why it is wrong: mutual exclusion is not alternation. Nothing stops foo() from taking the mutex twice in a row
// (an unlock followed by a lock on the same thread is the common case, a mutex is not fair), or bar() from going
// first. Order needs a state that says whose turn it is.
// Caught: the explorer runs foo() twice before bar() (and bar() first), every run.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class FooBar {
 public:
  explicit FooBar(int n) : n_(n) {}

  void foo(std::function<void()> printFoo) {
    for (int i = 0; i < n_; ++i) {
      sync::lock_guard lock(mu_);  // BUG: excludes, does not order
      printFoo();
    }
  }

  void bar(std::function<void()> printBar) {
    for (int i = 0; i < n_; ++i) {
      sync::lock_guard lock(mu_);
      printBar();
    }
  }

 private:
  const int n_;
  sync::mutex mu_;
};

}  // namespace lab
