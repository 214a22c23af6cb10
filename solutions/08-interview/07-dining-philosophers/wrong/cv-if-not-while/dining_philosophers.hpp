// WRONG (drill 08.07): a monitor (one mutex, a flag per fork, a condition variable), waiting with `if`.
// The design is right: take both forks at once under the mutex when both are free, else wait; put them back and
// notify_all. But `if (taken) cv_.wait(lock);` checks once: a wakeup (spurious, which the standard allows, or a
// notify for some other fork) returns from wait() with the fork still taken, and the philosopher takes it anyway.
// The explorer tries a spurious wakeup at every wait.
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
    const auto left = static_cast<std::size_t>(philosopher);
    const auto right = static_cast<std::size_t>((philosopher + 1) % kPhilosophers);
    {
      sync::unique_lock lock(mu_);
      if (taken_[left] || taken_[right]) cv_.wait(lock);  // BUG: `if`, not `while`
      taken_[left] = taken_[right] = true;
      pickLeftFork();
      pickRightFork();
    }
    eat();
    {
      sync::lock_guard lock(mu_);
      putLeftFork();
      putRightFork();
      taken_[left] = taken_[right] = false;
    }
    cv_.notify_all();
  }

 private:
  static constexpr int kPhilosophers = 5;
  sync::mutex mu_;
  std::array<bool, kPhilosophers> taken_{};  // guarded by mu_: fork f is in someone's hands
  sync::condition_variable cv_;              // a fork was put down
};

}  // namespace lab
