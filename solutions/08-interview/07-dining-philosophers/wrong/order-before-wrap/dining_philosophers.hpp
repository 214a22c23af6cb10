// WRONG (drill 08.07): the resource hierarchy, with the comparison made before the wrap.
// "Lower-numbered fork first": first = min(p, p + 1), second = max(p, p + 1), and only then % 5. For
// philosophers 0 to 3 that is right; for philosopher 4 it compares 4 with 5, so it takes fork 4 and then fork
// 5 % 5 = 0: left then right, like everyone else. The circle of waits is back, through philosopher 4, and the
// explorer seats all five holding one fork each.
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
    const int first = std::min(philosopher, philosopher + 1) % kPhilosophers;   // BUG: compared before the wrap
    const int second = std::max(philosopher, philosopher + 1) % kPhilosophers;  // 4 -> 0, taken after fork 4
    sync::lock_guard hold_first(forks_[first]);
    (first == philosopher ? pickLeftFork : pickRightFork)();
    sync::lock_guard hold_second(forks_[second]);
    (second == philosopher ? pickLeftFork : pickRightFork)();
    eat();
    putLeftFork();
    putRightFork();
  }

 private:
  static constexpr int kPhilosophers = 5;
  std::array<sync::mutex, kPhilosophers> forks_;  // fork f is in someone's hands while forks_[f] is locked
};

}  // namespace lab
