// WRONG (drill 08.07): the forks are unlocked before the put callbacks run.
// The locks live in a block around pick, pick and eat ("keep the critical section small"), and the puts come
// after it. Between the unlock and putLeftFork(), the neighbour can lock the fork and run its pick: the judge sees
// the fork picked up while this philosopher still holds it. The explorer finds that schedule every run.
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
    {
      sync::lock_guard first(forks_[std::min(left, right)]);
      sync::lock_guard second(forks_[std::max(left, right)]);
      pickLeftFork();
      pickRightFork();
      eat();
    }  // BUG: the forks are free here, but not yet put down
    putLeftFork();
    putRightFork();
  }

 private:
  static constexpr int kPhilosophers = 5;
  std::array<sync::mutex, kPhilosophers> forks_;  // fork f is in someone's hands while forks_[f] is locked
};

}  // namespace lab
