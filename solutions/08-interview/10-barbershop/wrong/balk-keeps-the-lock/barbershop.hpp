// Drill 08.10, WRONG (balk-keeps-the-lock): the semaphore answer with the mutex taken by hand, as in the book's
// pseudo-code (mutex.wait() ... mutex.signal()), and the balk path returns without mutex.signal(): the next thread
// that needs the lock waits forever. (And a std::mutex unlocked by no one, owned by a thread that has returned.)
#pragma once

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
    Seat seat{id};
    mu_.lock();
    if (static_cast<int>(queue_.size()) >= chairs_) return false;  // BUG: returns still holding mu_
    queue_.push_back(&seat);
    mu_.unlock();
    customers_.release();     // wake the barber, or leave him a permit if he is not asleep yet
    seat.called.acquire();    // my turn
    getHairCut();             // while the barber runs cutHair(id)
    barber_done_.acquire();   // stay until cutHair(id) returned
    customer_done_.release(); // then tell the barber the chair is free
    return true;
  }

  void barber(int count, std::function<void(int)> cutHair) {
    for (int i = 0; i < count; ++i) {
      customers_.acquire();  // sleeps while nobody waits
      Seat* seat = nullptr;
      {
        sync::lock_guard lock(mu_);
        seat = queue_.front();  // non-empty: every permit was released after its push
        queue_.pop_front();
      }
      const int id = seat->id;
      seat->called.release();  // the last use of *seat
      cutHair(id);
      barber_done_.release();
      customer_done_.acquire();  // the customer has seen barber_done_ and got up
    }
  }

  int waiting() const {
    sync::lock_guard lock(mu_);
    return static_cast<int>(queue_.size());
  }

 private:
  struct Seat {
    int id;
    sync::binary_semaphore called{0};  // released by the barber when it is this customer's turn
  };

  const int chairs_;
  mutable sync::mutex mu_;
  std::deque<Seat*> queue_;                  // guarded by mu_: the waiting room, first come first
  sync::counting_semaphore<> customers_{0};  // one permit per seated customer the barber has not taken yet
  sync::binary_semaphore barber_done_{0};    // cutHair returned (the customer may leave)
  sync::binary_semaphore customer_done_{0};  // the customer is done and has seen barber_done_
};

}  // namespace lab
