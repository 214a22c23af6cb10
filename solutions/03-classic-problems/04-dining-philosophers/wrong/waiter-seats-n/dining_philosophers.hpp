// Lab 03.04 dining philosophers, WRONG (waiter-seats-n): a waiter who lets at most n philosophers sit down (a
// counting semaphore), and seated philosophers take the left fork, then the right.
//
// Why it looks right: it is the arbitrator solution, a semaphore of seats in front of the forks, and "n
// philosophers, n seats" sounds like the natural count. Why it is wrong: the seats exist to break the circle, and
// n seats break nothing: all n philosophers sit, all take their left fork, and each waits for its neighbour's
// right one, exactly the naive deadlock. The waiter must keep one seat empty, n - 1: then at most n - 1
// philosophers hold a fork, there are n forks, so some seated philosopher finds both its forks and eats. The
// explorer finds the deadlock on every run (TableTest.TwoPhilosophersEatOnceEachWithoutDeadlock). Even with n - 1
// seats it would not be fair: neither a semaphore nor a mutex is a queue, and the philosopher who just ate gets
// its seat and forks back ahead of a waiting neighbour (TableTest.AHungryPhilosopherEatsBeforeItsNeighbourEatsAgain,
// TableTest.HungryNeighboursEatInTheOrderTheyAsked).
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
      : n_(philosophers),
        on_hungry_(std::move(on_hungry)),
        seats_(philosophers),  // BUG: a seat for everyone; the waiter must keep one empty (philosophers - 1)
        forks_(static_cast<std::size_t>(philosophers)) {
    if (philosophers < 2) throw std::invalid_argument("Table: a table needs at least 2 philosophers");
  }
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  void dine(int philosopher, int meals, const EatFn& eat) {
    for (int meal = 0; meal < meals; ++meal) {
      if (on_hungry_) on_hungry_(philosopher);
      seats_.acquire();
      {
        sync::lock_guard left(fork(philosopher));
        sync::lock_guard right(fork((philosopher + 1) % n_));
        eat(philosopher);
      }
      seats_.release();
    }
  }

 private:
  sync::mutex& fork(int i) { return forks_[static_cast<std::size_t>(i)]; }

  const int n_;
  const HungryHook on_hungry_;
  sync::counting_semaphore<> seats_;
  std::vector<sync::mutex> forks_;
};

}  // namespace lab
