// Lab 03.04 dining philosophers, WRONG (notify-one): improved's fair waiter, but put_down() wakes one hungry
// philosopher (notify_one) instead of all of them.
//
// Why it looks right: one philosopher put its forks down, so one sleeper can use them: wake one, and spare the
// others a pointless trip through the mutex. Why it is wrong: all hungry philosophers sleep on the same condition
// variable, and notify_one wakes any one of them, not the one who may eat now. Three philosophers, all neighbours:
// 0 eats, 1 asks, then 2 asks. 0 puts its forks down and wakes 2; 2 re-checks, sees that 1 asked first, and
// sleeps again. Nobody wakes 1, who could eat: everyone asleep, a lost wakeup. The explorer chooses which waiter a
// notify_one wakes and finds it on every run (TableTest.HungryNeighboursEatInTheOrderTheyAsked). The fix:
// notify_all (every waiter re-checks), or a condition variable per philosopher, woken only when it may eat (final).
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
    cv_.notify_one();  // BUG: wakes one sleeper, maybe one who still cannot eat, and not the one who can
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
