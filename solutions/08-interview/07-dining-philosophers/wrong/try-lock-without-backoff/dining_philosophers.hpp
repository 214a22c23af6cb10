// WRONG (drill 08.07): polite philosophers who give the left fork back when the right one is taken, and try again
// at once.
// Nobody waits while holding a fork, so there is no deadlock. But retrying is not progress: while the neighbour
// holds the right fork (in the middle of its meal, or itself retrying in step), this philosopher locks, fails,
// unlocks and locks again for ever, a livelock. The explorer runs it with the neighbour holding the fork and
// reports a thread that never ends.
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
    for (;;) {
      forks_[left].lock();
      if (forks_[right].try_lock()) break;
      forks_[left].unlock();  // BUG: and straight back to the top, no back-off, no wait
    }
    pickLeftFork();
    pickRightFork();
    eat();
    putLeftFork();
    putRightFork();
    forks_[right].unlock();
    forks_[left].unlock();
  }

 private:
  static constexpr int kPhilosophers = 5;
  std::array<sync::mutex, kPhilosophers> forks_;  // fork f is in someone's hands while forks_[f] is locked
};

}  // namespace lab
