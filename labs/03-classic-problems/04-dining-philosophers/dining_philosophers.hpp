// Lab 03.04: the dining philosophers. Lesson: modules/03-classic-problems/04-livelock-and-dining-philosophers.md.
// Check: ./conclab check 03.04      Be the scheduler of the naive version: ./conclab play 03.04
//
// n philosophers sit around a round table, with one fork between each two neighbours: fork p is philosopher p's
// left fork, fork (p + 1) % n its right one. A philosopher needs both forks next to it to eat. Each philosopher
// is a thread that calls table.dine(p, meals, eat); make lab::Table keep these promises:
//
//   - Safety: eat(p) is called only while p has both its forks, so it never runs at the same time as eat() of a
//     neighbour of p.
//   - No deadlock, no livelock: every dine() returns once every eat() it called has returned.
//   - No needless waiting: a hungry philosopher whose neighbours are neither eating nor hungry ahead of it eats
//     without waiting for anyone, so non-neighbours eat at the same time (one lock around every meal fails).
//   - Fairness, first come first served between neighbours: if p became hungry before its neighbour q (p's
//     on_hungry(p) was called before q's on_hungry(q)), p's meal starts before q's next one. A philosopher who
//     puts its forks down and asks again at once must not take them back ahead of a neighbour who was waiting.
//   - on_hungry is a test hook (it may be empty): call it once per meal, once the philosopher's request is on
//     record (so that a neighbour who asks after it gives way), before the philosopher waits. It never blocks,
//     and you may call it with your mutex held.
//
// The lesson walks the road: left fork then right deadlocks (`./conclab play 03.04` lets you make it happen);
// the lower-numbered fork first (Dijkstra's resource hierarchy) never deadlocks, but is not fair; a waiter who
// hands out both forks at once, in the order philosophers asked, is. Build the waiter: a sync::mutex, the state
// of every philosopher under it, and a sync::condition_variable to wait on.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp): sync::mutex
// is std::mutex, and so on. In the sim build they are instrumented so that the explorer can try every schedule
// of your threads: use them, not std's.
#pragma once

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
    // TODO(lab): size your per-philosopher state here (n_ entries).
  }
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  void dine(int philosopher, int meals, const EatFn& eat) {
    // TODO(lab): `meals` times: become hungry (record the request, then call on_hungry_(philosopher) if it is
    // set), wait until it is this philosopher's turn, eat(philosopher) without holding your mutex, then put the
    // forks down and wake whoever may now eat. Neither neighbour may be eating when eat() runs, and a hungry
    // neighbour who asked first goes first.
    (void)philosopher;
    (void)meals;
    (void)eat;
  }

 private:
  int left(int p) const { return (p + n_ - 1) % n_; }  // p's neighbours
  int right(int p) const { return (p + 1) % n_; }

  const int n_;
  const HungryHook on_hungry_;  // set once, before any thread can call dine()

  // TODO(lab): the waiter: a sync::mutex, declared right above the state it guards (for each philosopher: is it
  // eating, and if hungry, when did it ask? a counter that hands out tickets), and a sync::condition_variable.
};

}  // namespace lab
