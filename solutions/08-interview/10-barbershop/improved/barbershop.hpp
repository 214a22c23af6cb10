// Drill 08.10 barbershop, IMPROVED: one mutex, two condition variables, a FIFO queue of ids and three counters.
//
// What changed from naive, and why: naive's barber and customers spin on plain counters they read without the
// lock (a data race, and a barber who never sleeps: he burns a core checking an empty waiting room). Here every
// read and write of the shop's state is under mu_, and each wait is a predicate wait on a condition variable:
// the predicate is checked before sleeping and after every wakeup, so a customer who arrives while the barber is
// "about to sleep" is never missed (the barber checks the queue and goes to sleep as one step under mu_).
//
// The haircut is a rendezvous counted with monotonic counters instead of flags, so nothing has to be reset
// between two haircuts (a flag reset for the next haircut can erase the signal the previous customer has not
// read yet). Each customer draws a ticket when it sits down; tickets are handed out in queue order, so:
//   called_ > ticket : the barber has called this customer to the chair (it may start getHairCut()).
//   cut_ > ticket    : the barber's cutHair(id) for it has returned (it may leave).
//   left_ > ticket   : it has left, so the barber may call the next one (one customer in the chair at a time).
//
// The price: customers share one condition variable, and every call to the chair wakes all of them to check
// their tickets (a thundering herd with a full waiting room). The final version gives each customer its own
// semaphore instead.
//
// Lesson: modules/08-interview/06-barbershop-and-smokers.md ("The barbershop").
#pragma once

#include <cstdint>
#include <deque>
#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Barbershop: one barber, `chairs` waiting chairs (1 <= chairs), and the barber's chair.
//   - customer(id, getHairCut): balks (returns false at once, no callback) if all `chairs` waiting chairs are
//     taken; else sits down, waits for its turn (first come, first served), runs getHairCut() while the barber
//     runs cutHair(id), and returns true once both have returned. Ids are distinct.
//   - barber(count, cutHair): serves `count` customers, one at a time, in arrival order, sleeping while the
//     waiting room is empty; returns after the count-th customer has left. One barber thread at a time.
//   - waiting(): how many customers sit in the waiting room now (seated, not yet called to the chair).
//   - the callbacks are called without the shop's lock held.
class Barbershop {
 public:
  explicit Barbershop(int chairs) : chairs_(chairs) {}
  Barbershop(const Barbershop&) = delete;
  Barbershop& operator=(const Barbershop&) = delete;

  bool customer(int id, std::function<void()> getHairCut) {
    sync::unique_lock lock(mu_);
    if (static_cast<int>(queue_.size()) >= chairs_) return false;  // every chair taken: balk, nothing changed
    const std::int64_t ticket = seated_++;
    queue_.push_back(id);
    barber_cv_.notify_one();  // the barber may be asleep; he re-checks the queue under mu_ anyway
    customers_cv_.wait(lock, [&] { return called_ > ticket; });
    lock.unlock();
    getHairCut();  // at the same time as the barber's cutHair(id)
    lock.lock();
    customers_cv_.wait(lock, [&] { return cut_ > ticket; });  // stay in the chair until the barber is done
    ++left_;
    barber_cv_.notify_one();
    return true;
  }

  void barber(int count, std::function<void(int)> cutHair) {
    for (int i = 0; i < count; ++i) {
      sync::unique_lock lock(mu_);
      barber_cv_.wait(lock, [&] { return !queue_.empty(); });  // sleeps while nobody waits
      const int id = queue_.front();
      queue_.pop_front();
      const std::int64_t ticket = called_++;
      customers_cv_.notify_all();  // the one whose ticket this is goes to the chair
      lock.unlock();
      cutHair(id);
      lock.lock();
      ++cut_;
      customers_cv_.notify_all();
      barber_cv_.wait(lock, [&] { return left_ > ticket; });  // the chair is free only once the customer left
    }
  }

  int waiting() const {
    sync::lock_guard lock(mu_);
    return static_cast<int>(queue_.size());
  }

 private:
  const int chairs_;
  mutable sync::mutex mu_;
  std::deque<int> queue_;     // guarded by mu_: ids in the waiting room, first come first
  std::int64_t seated_ = 0;   // guarded by mu_: tickets handed out
  std::int64_t called_ = 0;   // guarded by mu_: customers called to the chair
  std::int64_t cut_ = 0;      // guarded by mu_: haircuts whose cutHair returned
  std::int64_t left_ = 0;     // guarded by mu_: customers who left after their haircut
  sync::condition_variable barber_cv_;     // the barber waits here: for a customer, for the chair to empty
  sync::condition_variable customers_cv_;  // customers wait here: for their call, for the end of their haircut
};

}  // namespace lab
