// WRONG (drill 08.07): each pick callback runs just before its fork's lock, not after it.
// "pickLeftFork() announces that I take the fork; then I take it." But the callback is the judge's record that
// the fork is in this philosopher's hands, and at that moment its neighbour may still hold it: one fork, two
// hands, in the log. The explorer finds the neighbour in the middle of its meal; and when all five sit down, all
// five first picks run although nobody holds a fork yet.
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
    const int low = std::min(left, right);
    const int high = std::max(left, right);
    (low == left ? pickLeftFork : pickRightFork)();  // BUG: before the lock that makes the fork ours
    sync::lock_guard first(forks_[low]);
    (high == left ? pickLeftFork : pickRightFork)();  // BUG: the same
    sync::lock_guard second(forks_[high]);
    eat();
    putLeftFork();
    putRightFork();
  }

 private:
  static constexpr int kPhilosophers = 5;
  std::array<sync::mutex, kPhilosophers> forks_;  // fork f is in someone's hands while forks_[f] is locked
};

}  // namespace lab
