// Lab 03.04 dining philosophers, WRONG (compare-before-wrap): lower-numbered fork first, but the right fork's
// number is compared before it wraps around the table.
//
// Why it looks right: it is the resource hierarchy, `min` then `max`, and the `% n` is there, on the index, so
// no fork out of range is ever locked. For every philosopher but the last, left = p < right = p + 1 and all is
// well. Why it is wrong: the last philosopher's right fork is fork 0, but the comparison sees p + 1 = n, the
// largest number of all, so it takes fork n - 1 first and fork 0 second: left then right, like everyone else.
// The global order is broken exactly at the wrap, the circle of waits is back, and with it the deadlock: with
// two philosophers, 0 holds fork 0 and waits for fork 1, 1 holds fork 1 and waits for fork 0. The explorer
// finds it on every run (TableTest.TwoPhilosophersEatOnceEachWithoutDeadlock); ThreadSanitizer usually reports the
// cycle of forks as a lock-order inversion, but not on every run. Like any fork-mutex solution it is not fair either
// (TableTest.AHungryPhilosopherEatsBeforeItsNeighbourEatsAgain, TableTest.HungryNeighboursEatInTheOrderTheyAsked). The fix for the order: wrap first, compare after
// (`right = (p + 1) % n`), and then a waiter for the fairness.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

using EatFn = std::function<void(int philosopher)>;
using HungryHook = std::function<void(int philosopher)>;

class Table {
 public:
  explicit Table(int philosophers, HungryHook on_hungry = {})
      : n_(philosophers), on_hungry_(std::move(on_hungry)), forks_(static_cast<std::size_t>(philosophers)) {
    if (philosophers < 2) throw std::invalid_argument("Table: a table needs at least 2 philosophers");
  }
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  void dine(int philosopher, int meals, const EatFn& eat) {
    const int left = philosopher, right = philosopher + 1;  // BUG: not wrapped yet, so the last one's right is n
    for (int meal = 0; meal < meals; ++meal) {
      if (on_hungry_) on_hungry_(philosopher);
      sync::lock_guard first(fork(std::min(left, right) % n_));  // the last philosopher: fork n - 1 first ...
      sync::lock_guard second(fork(std::max(left, right) % n_));  // ... then fork 0: left then right again
      eat(philosopher);
    }
  }

 private:
  sync::mutex& fork(int i) { return forks_[static_cast<std::size_t>(i)]; }

  const int n_;
  const HungryHook on_hungry_;
  std::vector<sync::mutex> forks_;
};

}  // namespace lab
