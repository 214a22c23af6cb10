// Drill 08.08 traffic-light, WRONG (if-not-while): the final version, with `if` where the wait needs a loop.
//
// Why it looks right: a car of the red road waits until the last car out notifies, and that notify comes only when
// the intersection is empty. Why it is wrong: a wait on a condition variable may return with no notify at all (a
// spurious wakeup), and a woken car may find that cars of the green road came in before it got the mutex back.
// After `if`, nothing checks again: the car turns the light while a car of the other road is crossing. The
// explorer tries a spurious wakeup at every wait (CarsOnBothRoadsNeverCrossTogether). The fix: the predicate form
// of wait, or `while`. Module 01 has it in full: modules/01-primitives/03-condition-variables.md.
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
      if (green_ != roadId && crossing_ != 0) may_go_.wait(lock);  // BUG: if, not while
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
