// Lab 03.04 dining philosophers, WRONG (try-lock-without-backoff): the polite philosopher. Take the left fork,
// try the right one; if it is taken, put the left fork back and start again.
//
// Why it looks right: nobody ever waits for a fork while holding another, so hold-and-wait is gone and the
// deadlock with it; a quick run with five philosophers finishes. Why it is wrong: giving up and retrying at once
// is not progress. Two philosophers who keep taking their left fork, finding the right one taken and putting
// theirs back, in step, are both busy for ever and neither eats: a livelock. The explorer shows its simplest
// form: one philosopher holds its fork and does not get to run, while the other takes, fails, puts back and
// retries, for twenty thousand steps ("never ends": TableTest.TwoPhilosophersEatOnceEachWithoutDeadlock,
// TableTest.NeighboursNeverEatAtTheSameTime); on real threads the same loop burns a core while the holder waits
// to be scheduled. And a retry loop is no queue: the philosopher who just ate wins the forks again
// (TableTest.AHungryPhilosopherEatsBeforeItsNeighbourEatsAgain). Random backoff makes the lockstep unlikely, never
// impossible. The fix: do not retry, wait: for the forks in a global order, or for a waiter's answer.
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
    sync::mutex& left = fork(philosopher);
    sync::mutex& right = fork((philosopher + 1) % n_);
    for (int meal = 0; meal < meals; ++meal) {
      if (on_hungry_) on_hungry_(philosopher);
      for (;;) {
        left.lock();
        if (right.try_lock()) break;  // both forks: eat
        left.unlock();                // BUG: be polite, put it back ... and at once try again, for ever
      }
      eat(philosopher);
      right.unlock();
      left.unlock();
    }
  }

 private:
  sync::mutex& fork(int i) { return forks_[static_cast<std::size_t>(i)]; }

  const int n_;
  const HungryHook on_hungry_;
  std::vector<sync::mutex> forks_;
};

}  // namespace lab
