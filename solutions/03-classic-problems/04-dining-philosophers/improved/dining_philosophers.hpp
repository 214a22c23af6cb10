// Lab 03.04 dining philosophers, IMPROVED: a waiter (one mutex, one condition variable) who seats the hungry
// in the order they asked.
//
// What changed from naive, and why: naive let every philosopher take the left fork and then wait for the right
// one, so when all of them took their left fork at once each held what the next one needed: a cycle of waits, a
// deadlock. Here nobody holds a fork while waiting for another. A philosopher asks the waiter (takes mu_), and
// the waiter answers "eat" only when both neighbours are not eating, that is, when both forks are free, and
// hands over both at once. Hold-and-wait, one of the four conditions a deadlock needs, is gone.
//
// Why a waiter and not the resource hierarchy (lower-numbered fork first, Dijkstra's fix). The hierarchy ends
// the deadlock too, and is simpler and faster. But it says nothing about who gets a fork next: a philosopher
// who puts a fork down and asks again at once can take it back before the neighbour who has waited for it all
// along wakes up, again and again (the explorer shows it: `./conclab explore 03.04 --against
// wrong/resource-hierarchy`). This lab asks for more: a philosopher who became hungry before a neighbour eats
// before that neighbour. So the waiter keeps a ticket per hungry philosopher, taken when it asks, and a hungry
// philosopher gives way to a hungry neighbour with an earlier ticket even when its own forks are free. That
// is the price of fairness: sometimes a fork lies unused while its neighbour waits its turn.
//
// The cost of this version: one condition variable for the whole table, so every put_down() wakes every hungry
// philosopher (notify_all), and all but one or two of them find they still cannot eat and go back to sleep.
// notify_one would be wrong here, not just slow: it may wake a philosopher who still cannot eat, and leave
// asleep the one who can (a lost wakeup: wrong/notify-one). The final version gives each philosopher a seat
// of its own to wait at, and wakes only those it has just let eat.
//
// Lesson: modules/03-classic-problems/04-livelock-and-dining-philosophers.md ("A waiter who keeps a queue").
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

// Table: `philosophers` (at least 2) sit around a round table, with one fork between each two neighbours.
// Philosopher p's neighbours are p - 1 and p + 1 (mod n); it needs both forks next to it to eat.
//   - dine(p, meals, eat): philosopher p eats `meals` times, from one thread (one thread per philosopher; any
//     number of philosophers dine at once). Each meal: p becomes hungry, calls on_hungry(p) once its request is
//     on record, waits for its turn, runs eat(p), and puts its forks down.
//   - Safety: eat(p) never runs at the same time as eat() of a neighbour of p.
//   - No deadlock: every dine() returns once every eat() it called has returned.
//   - No needless waiting: a hungry philosopher whose neighbours are neither eating nor hungry ahead of it eats
//     without waiting for anyone, so non-neighbours eat at the same time.
//   - Fairness (first come, first served between neighbours): if p's on_hungry(p) was called before its
//     neighbour q's, p's meal starts before q's. So a hungry philosopher waits for at most one meal of each
//     neighbour, and nobody starves while every eat() returns.
//   - on_hungry (a test hook) is called with the waiter's mutex held: it must not block or call the table.
class Table {
 public:
  explicit Table(int philosophers, HungryHook on_hungry = {})
      : n_(philosophers), on_hungry_(std::move(on_hungry)) {
    if (philosophers < 2) throw std::invalid_argument("Table: a table needs at least 2 philosophers");
    eating_.assign(static_cast<std::size_t>(n_), 0);
    ticket_.assign(static_cast<std::size_t>(n_), kNotHungry);
  }
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  void dine(int philosopher, int meals, const EatFn& eat) {
    for (int meal = 0; meal < meals; ++meal) {
      pick_up(philosopher);
      eat(philosopher);  // no lock held: neighbours are kept away by eating_, not by a mutex
      put_down(philosopher);
    }
  }

 private:
  static constexpr std::uint64_t kNotHungry = 0;

  int left(int p) const { return (p + n_ - 1) % n_; }
  int right(int p) const { return (p + 1) % n_; }

  // Neighbour q stands in p's way if it is eating, or hungry with an earlier ticket (it asked first). Needs mu_.
  bool in_the_way(int q, int p) const {
    const auto uq = static_cast<std::size_t>(q), up = static_cast<std::size_t>(p);
    return eating_[uq] != 0 || (ticket_[uq] != kNotHungry && ticket_[uq] < ticket_[up]);
  }

  void pick_up(int p) {
    const auto up = static_cast<std::size_t>(p);
    sync::unique_lock lock(mu_);
    ticket_[up] = next_ticket_++;  // on record: a neighbour who asks after this gives way to p
    if (on_hungry_) on_hungry_(p);
    // A predicate wait: re-checked after every wakeup, spurious or not, and after every notify_all that was
    // meant for someone else.
    cv_.wait(lock, [&] { return !in_the_way(left(p), p) && !in_the_way(right(p), p); });
    ticket_[up] = kNotHungry;
    eating_[up] = 1;
  }

  void put_down(int p) {
    sync::lock_guard lock(mu_);
    eating_[static_cast<std::size_t>(p)] = 0;
    // Both neighbours may now eat, and we cannot tell which sleeper is which: wake them all, each re-checks.
    cv_.notify_all();
  }

  const int n_;
  const HungryHook on_hungry_;  // set once, before any thread can call dine()

  sync::mutex mu_;
  std::vector<char> eating_;            // guarded by mu_: nonzero while philosopher p holds both its forks
  std::vector<std::uint64_t> ticket_;   // guarded by mu_: p's place in line while hungry, else kNotHungry
  std::uint64_t next_ticket_ = 1;       // guarded by mu_
  sync::condition_variable cv_;         // signalled (under mu_) whenever a philosopher puts its forks down
};

}  // namespace lab
