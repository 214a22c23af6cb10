// Drill 08.08 traffic-light, WRONG (direction-not-road): compares the green road with the car's direction.
//
// Why it looks right: carArrived has five parameters, and the direction "is where the car goes". Why it is wrong:
// the light has two states, road A (directions 1 and 2) and road B (3 and 4), and green_ now holds a direction.
// A car going in direction 2 on road A, which is green, finds green_ (1) != 2 and calls turnGreen() for a green
// road; two cars of road B going in directions 3 and 4 both turn B green. Every run:
// FirstCarOnRoadACrossesWithoutTurningGreen (car 1 on A, direction 2). Say the mapping aloud in an interview.
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
    (void)roadId;
    sync::lock_guard lock(mu_);
    if (green_ != direction) {  // BUG: a direction (1-4) is not a road (1-2)
      turnGreen();
      green_ = direction;
    }
    crossCar();
  }

 private:
  sync::mutex mu_;
  int green_ = 1;  // guarded by mu_: the green road, 1 (A) or 2 (B); A is green at the start
};

}  // namespace lab
