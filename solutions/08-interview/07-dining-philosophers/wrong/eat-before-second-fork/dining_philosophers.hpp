// WRONG (drill 08.07): eat() runs right after the first pick, before the second fork is picked up.
// The locks are right (lower-numbered fork first); the callbacks are in the wrong order: pick left, eat, pick
// right. "The callbacks only print, the order is cosmetic": no, the judge reads them as what happened, and this
// philosopher ate holding one fork. Caught on every run by the replay of the log, even with one philosopher.
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
    sync::lock_guard first(forks_[std::min(left, right)]);
    sync::lock_guard second(forks_[std::max(left, right)]);
    pickLeftFork();
    eat();  // BUG: before pickRightFork()
    pickRightFork();
    putLeftFork();
    putRightFork();
  }

 private:
  static constexpr int kPhilosophers = 5;
  std::array<sync::mutex, kPhilosophers> forks_;  // fork f is in someone's hands while forks_[f] is locked
};

}  // namespace lab
