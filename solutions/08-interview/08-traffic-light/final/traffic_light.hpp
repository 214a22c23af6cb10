// Drill 08.08 traffic-light, FINAL: cars of the green road cross together; the light turns only when the
// intersection is empty.
//
// What changed from improved, and why: improved makes every car cross alone, but the light only forbids cars of
// DIFFERENT roads crossing at once. Here the mutex guards the decision, not the crossing. A car takes mu_ and
// waits on may_go_ until its road is green or nobody is crossing (then it may turn the light); it turns the light
// if it must, counts itself in crossing_, and lets go of mu_ to cross; afterwards it counts itself out, and the
// last one out wakes the cars waiting on the red road. This is Downey's "lightswitch" (The Little Book of
// Semaphores, section 4.2, readers-writers): the first in locks the room for its kind, the last out unlocks it.
//
// Why it stays right:
//   - turnGreen() runs under mu_ and only when green_ != roadId and crossing_ == 0: never for a green road, and
//     never while a car of the other road is crossing (cars of the green road that wait here do not count yet);
//   - crossCar() runs with crossing_ counting the car, and green_ can change only at crossing_ == 0, so a car
//     always crosses on a green road;
//   - the wait has a predicate (a spurious wakeup re-checks), and the last car out wakes ALL the waiters: they
//     are all cars of the red road, the first to get mu_ turns the light and the others then find their road green.
//
// The trade-off an interviewer asks about: starvation. While cars keep arriving on the green road, crossing_ may
// never reach 0 and a car on the red road waits for ever. The fix is a turn: once a car waits on the red road,
// new cars of the green road wait too (count the waiters per road and add "nobody waits on the other road" to the
// green road's predicate), so the intersection empties and the light turns. improved has no starvation (a
// std::mutex is not fair either, but every car gets its turn at the lock eventually) and is simpler: say which
// you would ship and why.
//
// What an expert would still do in production: never run callbacks under a lock when it can be avoided (turnGreen
// here must be, it is part of the state change); add the turn above; and measure before trading improved's
// simplicity for this.
//
// Lesson: modules/08-interview/04-queues-and-intersections.md ("Letting a road's cars cross together").
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// TrafficLight: one light for road A (1) and road B (2); A is green at the start. carArrived() lets the car
// cross on its road, turning the road green first if it is red, never turning a green road green, and never
// while a car of the other road is crossing. Any number of cars at once; each call returns after the car
// crossed. Cars of the green road may cross at the same time.
class TrafficLight {
 public:
  TrafficLight() = default;

  void carArrived(int carId, int roadId, int direction, std::function<void()> turnGreen,
                  std::function<void()> crossCar) {
    (void)carId;
    (void)direction;
    {
      sync::unique_lock lock(mu_);
      may_go_.wait(lock, [&] { return green_ == roadId || crossing_ == 0; });
      if (green_ != roadId) {
        turnGreen();  // under mu_, with nobody crossing: part of the state change
        green_ = roadId;
      }
      ++crossing_;
    }
    crossCar();  // outside mu_: cars of the green road cross together; crossing_ > 0 keeps the light as it is
    {
      sync::lock_guard lock(mu_);
      if (--crossing_ == 0) may_go_.notify_all();  // the intersection is empty: cars of the red road may turn it
    }
  }

 private:
  sync::mutex mu_;
  int green_ = 1;                    // guarded by mu_: the green road, 1 (A) or 2 (B); A is green at the start
  int crossing_ = 0;                 // guarded by mu_: cars inside crossCar() right now, all of road green_
  sync::condition_variable may_go_;  // waited on with mu_ for "green_ == my road || crossing_ == 0"
};

}  // namespace lab
