// Drill 08.10: barbershop (the sleeping barber, after Allen Downey's "The Little Book of Semaphores").
// The problem: labs/08-interview/10-barbershop/problem.md.   Attempt: ./conclab drill 08.10   Check: ./conclab check 08.10
// Lesson: modules/08-interview/06-barbershop-and-smokers.md.
//
// One barber, `chairs` waiting chairs and the barber's own chair:
//   - customer(id, getHairCut) is called by a customer's thread. If all `chairs` waiting chairs are taken, the
//     customer balks: return false at once, without calling getHairCut. Otherwise he sits down, waits for his
//     turn (first come, first served), runs getHairCut() while the barber runs cutHair(id) (the two must be able
//     to run at the same time: a haircut is a rendezvous), and customer() returns true once BOTH have returned.
//   - barber(count, cutHair) is called by the barber's thread: serve `count` customers one at a time, in the
//     order they sat down; sleep (block, no spinning) while the waiting room is empty; return after the
//     count-th customer has left the chair. The next customer is called only when the previous one has left.
//   - waiting(): how many customers are seated in the waiting room now (not the one in the barber's chair).
//   - call the callbacks without holding your lock.
//
// Use the course's primitives (sync::mutex, sync::condition_variable, sync::counting_semaphore...: std's types
// under conclab::sync, instrumented in the sim build so that the explorer can try every schedule).
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Barbershop {
 public:
  explicit Barbershop(int chairs) : chairs_(chairs) {}
  Barbershop(const Barbershop&) = delete;
  Barbershop& operator=(const Barbershop&) = delete;

  bool customer(int id, std::function<void()> getHairCut) {
    // TODO(lab): balk if the waiting room is full; else sit down, wake the barber, wait for your call, get the
    // haircut, and wait for the barber to be done with YOUR haircut before you leave.
    (void)id;
    (void)getHairCut;
    return false;
  }

  void barber(int count, std::function<void(int)> cutHair) {
    // TODO(lab): `count` times: sleep until someone waits, call the first one in, cutHair(his id), wait until
    // he has got up.
    (void)count;
    (void)cutHair;
  }

  int waiting() const {
    // TODO(lab): the number of customers seated in the waiting room.
    return 0;
  }

 private:
  const int chairs_;
  // TODO(lab): the waiting room (in arrival order), the lock that guards it, and what the barber and the
  // customers sleep on.
};

}  // namespace lab
