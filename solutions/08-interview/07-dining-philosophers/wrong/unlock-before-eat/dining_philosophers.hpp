// WRONG (drill 08.07): one table-wide mutex, released as soon as both forks are picked up.
// "Only picking up forks needs the lock; eating is the slow part, so let the others in meanwhile." But nothing
// says the forks are still taken once the mutex is free: the neighbour locks it and picks up the fork this
// philosopher is eating with. The mutex must cover the whole time the forks are in hand, or the forks must be
// marked as taken in state it guards. The explorer finds the neighbour's pick during the meal.
#pragma once

#include <algorithm>
#include <array>
#include <conclab/sync.hpp>
#include <functional>

namespace lab {
namespace sync = conclab::sync;

// DiningPhilosophers: five philosophers 0..4, five forks; philosopher p's left fork is fork p, its right fork is
// fork (p + 1) % 5. Each call of wantsToEat picks up both forks, eats, and puts both down.
class DiningPhilosophers {
 public:
  DiningPhilosophers() = default;

  void wantsToEat(int philosopher, std::function<void()> pickLeftFork, std::function<void()> pickRightFork,
                  std::function<void()> eat, std::function<void()> putLeftFork, std::function<void()> putRightFork) {
    {
      sync::lock_guard hold_table(table_);
      pickLeftFork();
      pickRightFork();
    }  // BUG: the forks are in hand, but nothing keeps the neighbours off them any more
    eat();
    putLeftFork();
    putRightFork();
  }

 private:
  sync::mutex table_;  // meant to guard every fork
};

}  // namespace lab
