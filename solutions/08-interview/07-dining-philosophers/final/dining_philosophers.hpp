// Drill 08.07 dining philosophers (LeetCode 1226), FINAL: a mutex per fork, the lower-numbered fork first.
//
// What changed from improved, and why: one table-wide mutex let one philosopher eat at a time. Back to a mutex
// per fork, so that philosophers who share no fork (0 and 2, say) eat at the same time; and to keep naive's
// deadlock away, every philosopher locks its two forks in one global order, the lower number first (Dijkstra's
// resource hierarchy). Philosophers 0 to 3 still take the left fork first; philosopher 4, whose forks are 4 and
// 0, takes fork 0 (its right) first. A circle of waits would need someone holding a higher fork while waiting for
// a lower one, and nobody ever does, so there is no deadlock. Put-down order does not matter: unlocking never
// waits for anything.
//
// What an expert would still do differently: this is deadlock-free, not fair (a mutex is no queue: a philosopher
// can put a fork down and take it back ahead of a waiting neighbour); lab 03.04 builds the fair waiter. And
// std::scoped_lock(forks_[left], forks_[right]) would avoid the deadlock too, with no order to get wrong, at the
// cost of back-off-and-retry inside the lock algorithm.
// Lesson: modules/08-interview/05-philosophers-and-crawlers.md.
#pragma once

#include <algorithm>
#include <array>
#include <conclab/sync.hpp>
#include <functional>

namespace lab {
namespace sync = conclab::sync;

// DiningPhilosophers: five philosophers 0..4 around a table with five forks; philosopher p's left fork is fork p,
// its right fork is fork (p + 1) % 5. wantsToEat(p, ...) may be called by each philosopher's own thread, any
// number of times, while the others call it too. Each call picks up both forks, eats, and puts both down,
// calling the callbacks as it does; a fork is in one philosopher's hands at a time. Deadlock-free; philosophers
// who share no fork eat at the same time.
class DiningPhilosophers {
 public:
  DiningPhilosophers() = default;

  void wantsToEat(int philosopher, std::function<void()> pickLeftFork, std::function<void()> pickRightFork,
                  std::function<void()> eat, std::function<void()> putLeftFork, std::function<void()> putRightFork) {
    const int left = philosopher;
    const int right = (philosopher + 1) % kPhilosophers;  // wrap first, then compare: 4's right fork is 0
    sync::lock_guard first(forks_[std::min(left, right)]);
    sync::lock_guard second(forks_[std::max(left, right)]);
    pickLeftFork();  // both forks are ours: the callbacks may run in LeetCode's order
    pickRightFork();
    eat();
    putLeftFork();  // before the unlocks (the guards' destructors): nobody can pick a fork we have not put down
    putRightFork();
  }

 private:
  static constexpr int kPhilosophers = 5;
  std::array<sync::mutex, kPhilosophers> forks_;  // fork f is in someone's hands while forks_[f] is locked
};

}  // namespace lab
