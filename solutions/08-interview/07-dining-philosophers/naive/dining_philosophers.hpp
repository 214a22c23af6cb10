// Drill 08.07 dining philosophers (LeetCode 1226), NAIVE: a mutex per fork, left fork first, then the right.
//
// The first answer nearly everyone writes, and why it looks right: each fork is a mutex, a philosopher locks the
// two it needs, eats, and unlocks them; two neighbours can never hold the fork between them at once, and it
// passes every test where the philosophers do not all sit down together. But when all five lock their left fork
// before any of them reaches for the right one, each holds a fork its right-hand neighbour waits for: a circle of
// five waits, a deadlock. It takes a particular schedule, so a stress test may run for a long time without
// hitting it; the explorer finds it on every run (DiningPhilosophersTest.FiveDinersOneMealEachNeverDeadlock).
// Lesson: modules/08-interview/05-philosophers-and-crawlers.md; the problem in depth: lab 03.04.
#pragma once

#include <array>
#include <conclab/sync.hpp>
#include <functional>

namespace lab {
namespace sync = conclab::sync;

// DiningPhilosophers: five philosophers 0..4 around a table with five forks; philosopher p's left fork is fork p,
// its right fork is fork (p + 1) % 5. wantsToEat(p, ...) may be called by each philosopher's own thread, any
// number of times, while the others call it too. Each call picks up both forks, eats, and puts both down,
// calling the callbacks as it does; a fork is in one philosopher's hands at a time.
class DiningPhilosophers {
 public:
  DiningPhilosophers() = default;

  void wantsToEat(int philosopher, std::function<void()> pickLeftFork, std::function<void()> pickRightFork,
                  std::function<void()> eat, std::function<void()> putLeftFork, std::function<void()> putRightFork) {
    const int left = philosopher;
    const int right = (philosopher + 1) % kPhilosophers;
    sync::lock_guard hold_left(forks_[left]);  // BUG: everyone takes the left fork first; all five can hold one
    pickLeftFork();
    sync::lock_guard hold_right(forks_[right]);  // ... and then wait here for ever, each for its neighbour's
    pickRightFork();
    eat();
    putLeftFork();
    putRightFork();
  }

 private:
  static constexpr int kPhilosophers = 5;
  std::array<sync::mutex, kPhilosophers> forks_;  // fork f is in someone's hands while forks_[f] is locked
};

}  // namespace lab
