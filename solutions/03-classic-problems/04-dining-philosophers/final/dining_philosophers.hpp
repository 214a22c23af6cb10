// Lab 03.04 dining philosophers, FINAL: the fair waiter, with a seat (a condition variable) per philosopher; the
// philosopher who puts its forks down hands them on to the neighbours whose turn it is, and wakes only them.
//
// What changed from improved, and why: improved had one condition variable for the table, so every put_down()
// woke every hungry philosopher, and each re-checked under the one mutex and mostly went back to sleep: with n
// philosophers, up to n - 1 wakeups and trips through the mutex for at most two that can eat. Here the decision
// is made once, by the thread that changes the state: grant(q) checks q's turn under mu_ and, if q may eat,
// marks it eating and wakes q's own condition variable. A put_down() can only let its two neighbours eat (only
// they share a fork with it, and nobody else's turn depends on it), so it tries those two and wakes at most two
// threads, both of which will eat. The waiting philosopher still waits with a predicate (its state is kEating),
// so a spurious wakeup changes nothing. The policy is the same as improved's: first come, first served between
// neighbours, by ticket.
//
// This is the shape of Dijkstra's own solution (EWD310, 1971: a state per philosopher, a mutex, a private
// semaphore each, and a test() that lets a hungry philosopher eat when neither neighbour eats), plus the
// tickets, which his version does not have: there two neighbours taking turns can starve the philosopher
// between them.
//
// eat() may throw: the forks are put down anyway (the guard in dine()), or the neighbours would wait for ever.
//
// Measured here (`./conclab bench 03.04`, 5 philosophers, short meals, 2 cores): about three times improved's
// meals per second, and no slower than the resource hierarchy (a mutex per fork, lower first), which holds one
// fork while it waits for the other and so keeps that fork's other neighbour from eating.
//
// What an expert would still do differently in production: for many philosophers, one mutex for the table
// becomes the bottleneck; Chandy and Misra's solution (1984) keeps every decision between two neighbours, with
// no central waiter at all. And a real program would not take `meals` up front: it would hand out a guard object
// (pick_up() returns it, its destructor puts the forks down).
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
//     on record, waits for its turn, runs eat(p), and puts its forks down (also when eat() throws).
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
      : n_(philosophers), on_hungry_(std::move(on_hungry)), seats_(checked(philosophers)) {}
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  void dine(int philosopher, int meals, const EatFn& eat) {
    for (int meal = 0; meal < meals; ++meal) {
      pick_up(philosopher);
      struct PutDown {  // runs when eat() returns or throws
        Table& table;
        int p;
        ~PutDown() { table.put_down(p); }
      } put_down_after{*this, philosopher};
      eat(philosopher);  // no lock held: the neighbours are kept away by their seats' state, not by a mutex
    }
  }

 private:
  enum class State : std::uint8_t { kThinking, kHungry, kEating };

  struct Seat {
    State state = State::kThinking;  // guarded by Table::mu_
    std::uint64_t ticket = 0;        // guarded by Table::mu_: its place in line while kHungry
    sync::condition_variable turn;   // notified (under mu_) when this philosopher is granted its forks
  };

  static std::size_t checked(int philosophers) {
    if (philosophers < 2) throw std::invalid_argument("Table: a table needs at least 2 philosophers");
    return static_cast<std::size_t>(philosophers);
  }

  Seat& seat(int p) { return seats_[static_cast<std::size_t>(p)]; }
  int left(int p) const { return (p + n_ - 1) % n_; }
  int right(int p) const { return (p + 1) % n_; }

  // Neighbour q stands in p's way if it is eating, or hungry with an earlier ticket (it asked first). Needs mu_.
  bool in_the_way(int q, int p) {
    const Seat& s = seat(q);
    return s.state == State::kEating || (s.state == State::kHungry && s.ticket < seat(p).ticket);
  }

  // If q is hungry and it is its turn, q eats: marked here, under mu_, and woken. Needs mu_.
  void grant(int q) {
    Seat& s = seat(q);
    if (s.state != State::kHungry || in_the_way(left(q), q) || in_the_way(right(q), q)) return;
    s.state = State::kEating;
    s.turn.notify_one();  // only q ever waits on its own seat
  }

  void pick_up(int p) {
    sync::unique_lock lock(mu_);
    Seat& s = seat(p);
    s.state = State::kHungry;
    s.ticket = next_ticket_++;  // on record: a neighbour who asks after this gives way to p
    if (on_hungry_) on_hungry_(p);
    grant(p);  // nobody in the way: eat now, without sleeping
    s.turn.wait(lock, [&] { return s.state == State::kEating; });  // else a neighbour's put_down() grants it
  }

  void put_down(int p) {
    sync::lock_guard lock(mu_);
    seat(p).state = State::kThinking;
    // Only p's neighbours share a fork with p, and p was in the way of nobody else: they are the only ones whose
    // turn may have come. (Granting one never lets a third eat: eating stands in more ways, not fewer.)
    grant(left(p));
    grant(right(p));
  }

  const int n_;
  const HungryHook on_hungry_;  // set once, before any thread can call dine()

  sync::mutex mu_;
  std::vector<Seat> seats_;          // the seats' state and tickets are guarded by mu_
  std::uint64_t next_ticket_ = 1;    // guarded by mu_
};

}  // namespace lab
