// Drill 08.07: the dining philosophers, LeetCode 1226's contract.   Attempt it: ./conclab drill 08.07
// Lesson: modules/08-interview/05-philosophers-and-crawlers.md (the problem in depth: lab 03.04).
//
// Five philosophers, numbered 0 to 4, sit at a round table with five forks. Philosopher p's left fork is fork p and
// its right fork is fork (p + 1) % 5, so philosopher 4's forks are 4 and 0. Each philosopher's thread calls
// wantsToEat(p, ...) over and over (1 to 60 times). Each call must:
//
//   - pick up both forks (pickLeftFork() and pickRightFork(), in either order), then eat(), then put both down
//     (putLeftFork() and putRightFork(), in either order): each of the five callbacks exactly once;
//   - never let a fork be in two philosophers' hands: call a pick callback only once that fork is truly yours, and
//     a put callback before anyone else can take the fork;
//   - never deadlock, whatever the five threads do at the same time.
//
// The tests record every callback as LeetCode's triple [philosopher, fork (1 left, 2 right, 0 eat), op (1 pick,
// 2 put, 3 eat)] and replay the log against the forks on the table. The explorer (the sim build) tries the
// schedules of two neighbours and seats all five at once, to look for the deadlock.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp): sync::mutex is
// std::mutex, sync::counting_semaphore is std::counting_semaphore, and so on; the sim build instruments them.
#pragma once

#include <array>
#include <conclab/sync.hpp>
#include <functional>

namespace lab {
namespace sync = conclab::sync;

class DiningPhilosophers {
 public:
  DiningPhilosophers() {
    // TODO(lab): set up whatever keeps the forks apart (nothing to do here if your members start ready).
  }

  void wantsToEat(int philosopher, std::function<void()> pickLeftFork, std::function<void()> pickRightFork,
                  std::function<void()> eat, std::function<void()> putLeftFork, std::function<void()> putRightFork) {
    // TODO(lab): take philosopher's two forks in a way that can never make a circle of waits (five philosophers
    // each holding one fork and waiting for the next), call the five callbacks in order while the forks are yours,
    // then give the forks back.
    (void)philosopher;
    (void)pickLeftFork;
    (void)pickRightFork;
    (void)eat;
    (void)putLeftFork;
    (void)putRightFork;
  }

 private:
  // TODO(lab): the state that keeps the forks apart, e.g. one sync::mutex per fork.
};

}  // namespace lab
