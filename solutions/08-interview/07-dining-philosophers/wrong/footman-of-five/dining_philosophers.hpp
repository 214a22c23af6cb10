// WRONG (drill 08.07): a footman (a counting semaphore of seats) in front of the left-then-right forks, with five
// seats for five philosophers.
// The footman works by keeping one seat empty: with at most four at the table, one of them always gets both forks.
// With five seats nobody is ever turned away, all five sit, all five take their left fork, and naive's deadlock is
// back. The count must be 4.
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
    const int left = philosopher;
    const int right = (philosopher + 1) % kPhilosophers;
    seats_.acquire();
    {
      sync::lock_guard hold_left(forks_[left]);
      pickLeftFork();
      sync::lock_guard hold_right(forks_[right]);
      pickRightFork();
      eat();
      putLeftFork();
      putRightFork();
    }
    seats_.release();
  }

 private:
  static constexpr int kPhilosophers = 5;
  sync::counting_semaphore<kPhilosophers> seats_{kPhilosophers};  // BUG: 5 seats; the footman needs 4
  std::array<sync::mutex, kPhilosophers> forks_;  // fork f is in someone's hands while forks_[f] is locked
};

}  // namespace lab
