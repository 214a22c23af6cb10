// Drill 08.08 traffic-light, WRONG (lock-per-road): one mutex per road.
//
// Why it looks right: "cars of the same road must take turns, cars of different roads are on different roads", so
// each road gets its own lock and the two roads never wait for each other. Why it is wrong: the thing the cars
// share is the LIGHT, one variable that both roads read and write: a car of A and a car of B hold different locks
// and touch green_ at the same time (a data race), and B's car turns the light while A's car crosses. One shared
// state, one lock. ThreadSanitizer reports it in TwentyCarsFromBothRoadsEachCrossOnce; the explorer in
// CarsOnBothRoadsNeverCrossTogether.
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
    sync::lock_guard lock(road_mu_[roadId]);  // BUG: cars of the other road hold the other lock
    if (green_ != roadId) {
      turnGreen();
      green_ = roadId;
    }
    crossCar();
  }

 private:
  sync::mutex road_mu_[3];  // BUG: index 1 for road A, 2 for road B: two locks for one light
  int green_ = 1;
};

}  // namespace lab
