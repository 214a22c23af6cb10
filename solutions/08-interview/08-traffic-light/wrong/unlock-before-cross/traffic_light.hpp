// Drill 08.08 traffic-light, WRONG (unlock-before-cross): the lock guards the light, and the car crosses after unlocking.
//
// Why it looks right: "the lock protects the state; crossCar() does not touch the state, so run it outside, and
// cars cross at the same time". The state is safe indeed (no data race). Why it is wrong: the light's promise is
// about the crossing, not about green_: a car of road B can take the lock and turn B green while a car of road A
// that just let go of it is still crossing. Either hold the lock through crossCar() (improved), or count the cars
// that are crossing and turn the light only at zero (final). The explorer preempts car A between its unlock and
// its crossing (CarsOnBothRoadsNeverCrossTogether).
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// TrafficLight: one light for road A (1) and road B (2); A is green at the start. carArrived() lets the car
// cross on its road, turning the road green first if it is red, never turning a green road green. Any number of
// cars at once; each call returns after the car crossed. Cars cross one at a time.
class TrafficLight {
 public:
  TrafficLight() = default;

  void carArrived(int carId, int roadId, int direction, std::function<void()> turnGreen,
                  std::function<void()> crossCar) {
    (void)carId;
    (void)direction;
    {
      sync::lock_guard lock(mu_);
      if (green_ != roadId) {
        turnGreen();
        green_ = roadId;
      }
    }
    crossCar();  // BUG: the light can turn now, under this crossing car
  }

 private:
  sync::mutex mu_;
  int green_ = 1;  // guarded by mu_: the green road, 1 (A) or 2 (B); A is green at the start
};

}  // namespace lab
