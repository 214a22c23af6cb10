// Lab 03.04 dining philosophers, WRONG (unfair-monitor): a waiter who lets a philosopher eat as soon as neither
// neighbour is eating (the textbook monitor: a mutex, a state per philosopher, a condition variable, notify_all).
//
// Why it looks right: it is the solution in most textbooks, and it is deadlock-free (nobody holds a fork while
// waiting), safe (both forks or none), and lets non-neighbours eat together; every wait re-checks its predicate
// and every put_down() wakes everyone. Why it is wrong for this lab: "both forks free" says nothing about who
// has waited longest. A philosopher who puts its forks down and asks again at once finds them free before the
// neighbour it just woke gets the mutex, and eats again; two neighbours taking turns can keep the philosopher
// between them hungry for ever (starvation). The explorer runs that schedule with no preemption at all
// (TableTest.AHungryPhilosopherEatsBeforeItsNeighbourEatsAgain, TableTest.HungryNeighboursEatInTheOrderTheyAsked).
// The fix: tickets. A hungry philosopher also gives way to a hungry neighbour who asked earlier (improved).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

using EatFn = std::function<void(int philosopher)>;
using HungryHook = std::function<void(int philosopher)>;

class Table {
 public:
  explicit Table(int philosophers, HungryHook on_hungry = {})
      : n_(philosophers), on_hungry_(std::move(on_hungry)) {
    if (philosophers < 2) throw std::invalid_argument("Table: a table needs at least 2 philosophers");
    eating_.assign(static_cast<std::size_t>(n_), 0);
  }
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  void dine(int philosopher, int meals, const EatFn& eat) {
    for (int meal = 0; meal < meals; ++meal) {
      pick_up(philosopher);
      eat(philosopher);
      put_down(philosopher);
    }
  }

 private:
  int left(int p) const { return (p + n_ - 1) % n_; }
  int right(int p) const { return (p + 1) % n_; }
  bool is_eating(int p) const { return eating_[static_cast<std::size_t>(p)] != 0; }

  void pick_up(int p) {
    sync::unique_lock lock(mu_);
    if (on_hungry_) on_hungry_(p);
    cv_.wait(lock, [&] { return !is_eating(left(p)) && !is_eating(right(p)); });  // BUG: free forks, whoever waited
    eating_[static_cast<std::size_t>(p)] = 1;
  }

  void put_down(int p) {
    sync::lock_guard lock(mu_);
    eating_[static_cast<std::size_t>(p)] = 0;
    cv_.notify_all();
  }

  const int n_;
  const HungryHook on_hungry_;

  sync::mutex mu_;
  std::vector<char> eating_;  // guarded by mu_
  sync::condition_variable cv_;
};

}  // namespace lab
