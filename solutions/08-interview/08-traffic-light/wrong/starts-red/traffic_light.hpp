// Drill 08.08 traffic-light, WRONG (starts-red): the light starts with no road green (green_ = 0).
//
// Why it looks right: "nothing is green until a car asks", and 0 is the natural start for an int. Why it is wrong:
// the problem says road A is green at the start, and the judge's light agrees: the first car on road A calls
// turnGreen() for a road that is already green. Every run: FirstCarOnRoadACrossesWithoutTurningGreen.
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
    sync::lock_guard lock(mu_);  // held through the crossing: nobody turns the light under a crossing car
    if (green_ != roadId) {
      turnGreen();
      green_ = roadId;
    }
    crossCar();
  }

 private:
  sync::mutex mu_;
  int green_ = 0;  // BUG: road A is green at the start, not "no road"
};

}  // namespace lab
