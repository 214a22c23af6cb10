// Lab 03.04 dining philosophers, WRONG (temporary-lock-guard): lower-numbered fork first, but the second fork's
// lock_guard has no name.
//
// Why it looks right: `sync::lock_guard<sync::mutex>{fork(second)};` reads as "lock the second fork", it
// compiles without a warning, and the first fork's guard right above it has the same shape. Why it is wrong: a
// lock_guard without a name is a temporary, destroyed at the end of its statement: the second fork is locked and
// at once unlocked, and eat() runs holding only the first. Philosophers 0 and 1 of 3 share fork 1, which is 0's
// second fork and 1's first: 0 eats holding fork 0, 1 takes fork 1 and eats too, next to it. The test's forks
// catch both philosophers using fork 1 (TableTest.NeighboursNeverEatAtTheSameTime), and, as with every fork-mutex
// version, the fairness tests fail too (TableTest.AHungryPhilosopherEatsBeforeItsNeighbourEatsAgain,
// TableTest.HungryNeighboursEatInTheOrderTheyAsked). The fix: name every guard
// (`sync::lock_guard second_lock(fork(second));`), and then a waiter, for the fairness.
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
    const int left = philosopher, right = (philosopher + 1) % n_;
    const int first = std::min(left, right), second = std::max(left, right);
    for (int meal = 0; meal < meals; ++meal) {
      if (on_hungry_) on_hungry_(philosopher);
      sync::lock_guard first_lock(fork(first));
      sync::lock_guard<sync::mutex>{fork(second)};  // BUG: a temporary: locked and unlocked on this line
      eat(philosopher);                              // eats holding the first fork only
    }
  }

 private:
  sync::mutex& fork(int i) { return forks_[static_cast<std::size_t>(i)]; }

  const int n_;
  const HungryHook on_hungry_;
  std::vector<sync::mutex> forks_;
};

}  // namespace lab
