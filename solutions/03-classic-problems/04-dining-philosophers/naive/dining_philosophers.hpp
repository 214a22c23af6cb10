// Lab 03.04 dining philosophers, NAIVE: a mutex per fork; each philosopher locks its left fork, then its right.
//
// The mistake people really make, and why it looks right: a fork is a resource only one philosopher may hold,
// so it is a mutex; a philosopher needs two, so it locks two, and lock_guard puts them back even if eat()
// throws. Run it with five philosophers and a few meals each and it usually works: a philosopher rarely finds
// its right fork taken, and when it does the neighbour is eating and will soon put it down.
//
// Why it is wrong: every philosopher holds one fork while it waits for the next, and the forks form a circle.
// If all of them take their left fork before any takes its right one, philosopher p holds fork p and waits for
// fork p + 1, which philosopher p + 1 holds, ... and the last one waits for fork 0, which philosopher 0 holds:
// a cycle of waits, a deadlock, which no amount of waiting undoes. With two philosophers it takes two steps:
// 0 takes fork 0, 1 takes fork 1. The explorer finds it on every run
// (TableTest.TwoPhilosophersEatOnceEachWithoutDeadlock), and `./conclab play 03.04` lets you make it happen.
// It is also unfair: a philosopher who puts a fork down and asks again can take it back before the neighbour
// who has been waiting for it (TableTest.AHungryPhilosopherEatsBeforeItsNeighbourEatsAgain,
// TableTest.HungryNeighboursEatInTheOrderTheyAsked).
//
// Lesson: modules/03-classic-problems/04-livelock-and-dining-philosophers.md ("The deadlock at the table").
#pragma once

#include <functional>
#include <stdexcept>
#include <vector>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

using EatFn = std::function<void(int philosopher)>;
using HungryHook = std::function<void(int philosopher)>;

// NOT deadlock-free (that is the point of this version): see above.
class Table {
 public:
  explicit Table(int philosophers, HungryHook on_hungry = {})
      : n_(philosophers), on_hungry_(std::move(on_hungry)), forks_(static_cast<std::size_t>(philosophers)) {
    if (philosophers < 2) throw std::invalid_argument("Table: a table needs at least 2 philosophers");
  }
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  void dine(int philosopher, int meals, const EatFn& eat) {
    for (int meal = 0; meal < meals; ++meal) {
      if (on_hungry_) on_hungry_(philosopher);
      sync::lock_guard left(fork(philosopher));           // everyone takes the left fork first ...
      sync::lock_guard right(fork((philosopher + 1) % n_));  // ... and waits here for the right one, holding it
      eat(philosopher);
    }
  }

 private:
  sync::mutex& fork(int i) { return forks_[static_cast<std::size_t>(i)]; }

  const int n_;
  const HungryHook on_hungry_;
  std::vector<sync::mutex> forks_;  // fork i lies between philosophers i - 1 and i: it is i's left fork
};

}  // namespace lab
