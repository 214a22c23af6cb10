// Drill 08.10 barbershop, FINAL: semaphores, in the shape of the FIFO barbershop of Allen Downey's "The Little
// Book of Semaphores", with the haircut's end paired to the right customer.
//
// What changed from improved, and why: the waits are semaphores, which remember a release nobody was waiting
// for, so no predicate is needed to avoid a lost wakeup:
//   - customers_ counts seated customers. A customer releases it after sitting down; the barber acquires it, and
//     sleeps when it is 0. A customer who arrives while the barber is "about to sleep" leaves a permit behind,
//     and the barber's acquire takes it.
//   - each customer brings its own binary semaphore (its Seat, on its stack), queued in arrival order; the barber
//     calls exactly that customer by releasing it. No herd: one call wakes one thread, the right one.
//   - the end of the haircut is a two-way handshake: barber_done_ (cutHair returned) and customer_done_
//     (getHairCut returned and the customer has seen barber_done_). The customer acquires barber_done_ BEFORE it
//     releases customer_done_, and the barber calls the next customer only after customer_done_: so the next
//     customer cannot take the previous one's barber_done_ and walk out in the middle of its own haircut (the
//     trap of sharing "done" semaphores once cutHair names a customer: wrong/shared-done-semaphores).
// mu_ guards only the queue and the balk decision (the count is the queue's size).
//
// Lifetime: the barber's last use of a Seat is seat->called.release(); the customer cannot return (and destroy
// the Seat) before the barber's later barber_done_.release(), so the Seat outlives that call.
//
// What an expert would still do differently in production: a barber that stops (a shutdown flag and a release
// of customers_ to wake him, rather than a count known in advance), a timed wait for customers who will not wait
// forever (try_acquire_for), and many barbers (then the chair is a pool and the handshake is per chair).
//
// Lesson: modules/08-interview/06-barbershop-and-smokers.md ("The barbershop").
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
