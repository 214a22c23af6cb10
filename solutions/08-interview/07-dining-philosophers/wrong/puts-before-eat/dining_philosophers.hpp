// WRONG (drill 08.07): both forks are put down before eat() is called.
// Right locks, wrong callback order: pick, pick, put, put, eat ("tidy up first, then the meal"). The judge sees a
// philosopher eating with no fork in its hands. Caught on every run by the replay of the log.
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
    pickRightFork();
    putLeftFork();  // BUG: the forks go down before the meal
    putRightFork();
    eat();
  }

 private:
  static constexpr int kPhilosophers = 5;
  std::array<sync::mutex, kPhilosophers> forks_;  // fork f is in someone's hands while forks_[f] is locked
};

}  // namespace lab
