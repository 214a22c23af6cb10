// Lab 03.04 dining philosophers, WRONG (resource-hierarchy): a mutex per fork, and every philosopher takes the
// lower-numbered of its two forks first (Dijkstra's resource hierarchy).
//
// Why it looks right: it is the classic fix for the deadlock, and it works. The forks are taken in one global
// order, so no circle of waits can form: whoever holds the highest-numbered fork it needs already holds its other
// fork, and can eat. Every deadlock test passes, and neighbours never eat at once. Why it is wrong for this lab:
// the lab also asks for fairness, and a mutex is not a queue. Who gets a fork that was just put down is up to the
// mutex, and the philosopher who put it down and asks again at once is already running, while the neighbour who
// waited for it has first to be woken: it takes the fork back, and can do so again and again (starvation, with
// everyone making progress but one). The explorer runs exactly that schedule, with no preemption at all
// (TableTest.AHungryPhilosopherEatsBeforeItsNeighbourEatsAgain, TableTest.HungryNeighboursEatInTheOrderTheyAsked).
// The fix: a waiter who hands out both forks in the order philosophers asked (tickets), as improved does.
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
    for (int meal = 0; meal < meals; ++meal) {
      if (on_hungry_) on_hungry_(philosopher);
      sync::lock_guard first(fork(std::min(left, right)));  // lower number first: no circle of waits ...
      sync::lock_guard second(fork(std::max(left, right)));
      eat(philosopher);
    }  // ... BUG (for this lab): and whoever asks again first gets the forks back, waiting neighbour or not
  }

 private:
  sync::mutex& fork(int i) { return forks_[static_cast<std::size_t>(i)]; }

  const int n_;
  const HungryHook on_hungry_;
  std::vector<sync::mutex> forks_;
};

}  // namespace lab
