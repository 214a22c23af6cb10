// Drill 08.10, WRONG (shared-done-semaphores): the end of the haircut in the book's basic order: the customer
// signals customerDone and then waits on barberDone; the barber waits on customerDone and then signals
// barberDone, and goes on to the next customer. barberDone is shared by all customers, so the next customer can
// take the permit meant for the previous one (who has not picked it up yet) and walk out in the middle of its own
// haircut. Without ids this does not show; once cutHair names the customer, it is a wrong pairing.
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
    {
      sync::lock_guard lock(mu_);
      if (static_cast<int>(queue_.size()) >= chairs_) return false;  // balk: nothing taken, nothing to give back
      queue_.push_back(&seat);
    }
    customers_.release();     // wake the barber, or leave him a permit if he is not asleep yet
    seat.called.acquire();    // my turn
    getHairCut();             // while the barber runs cutHair(id)
    customer_done_.release();  // BUG: tells the barber first...
    barber_done_.acquire();    // ...then takes whatever "done" permit is there, maybe the previous customer's
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
      customer_done_.acquire();
      barber_done_.release();  // BUG: and on to the next customer, before this one has taken the permit
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
