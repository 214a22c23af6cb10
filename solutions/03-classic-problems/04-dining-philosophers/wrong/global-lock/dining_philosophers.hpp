// Lab 03.04 dining philosophers, WRONG (global-lock): one mutex for the whole table, held for the whole meal.
//
// Why it looks right: it cannot deadlock (one lock cannot be taken in two orders), neighbours never eat at once
// (nobody eats at once), ThreadSanitizer is quiet, and every meal gets eaten. Why it is wrong: it "solves" the
// problem by throwing away the concurrency the table has: philosophers 0 and 2 of 4 share no fork, yet one waits
// for the other's whole meal. With five philosophers two could eat at any moment; here one does. The test that
// catches it makes each of two non-neighbours wait, inside eat(), for the other to be eating too: with one lock
// around the meals that never happens, and the explorer reports the deadlock (TableTest.TwoNonNeighboursEatAt
// TheSameTime). It is not fair either: a mutex is no queue, and the philosopher who just ate takes it again
// (TableTest.AHungryPhilosopherEatsBeforeItsNeighbourEatsAgain, TableTest.HungryNeighboursEatInTheOrderTheyAsked).
// The fix: hold the table's mutex only to decide who eats, never while eating.
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
  explicit Table(int philosophers, HungryHook on_hungry = {}) : on_hungry_(std::move(on_hungry)) {
    if (philosophers < 2) throw std::invalid_argument("Table: a table needs at least 2 philosophers");
  }
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  void dine(int philosopher, int meals, const EatFn& eat) {
    for (int meal = 0; meal < meals; ++meal) {
      if (on_hungry_) on_hungry_(philosopher);
      sync::lock_guard lock(table_);  // BUG: held for the whole meal: one philosopher eats at a time
      eat(philosopher);
    }
  }

 private:
  const HungryHook on_hungry_;
  sync::mutex table_;  // guards the meals themselves, which is the problem
};

}  // namespace lab
