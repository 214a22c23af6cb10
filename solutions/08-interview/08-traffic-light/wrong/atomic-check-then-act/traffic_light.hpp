// Drill 08.08 traffic-light, WRONG (atomic-check-then-act): the light is a sync::atomic<int>, and no lock.
//
// Why it looks right: an atomic has no data race, ThreadSanitizer is silent, and every load sees a real value.
// Why it is wrong: atomicity is per operation. "Is my road red? then turn it green, then cross" is three steps, and
// other cars run between them: two cars of road B both load 1 and both call turnGreen() (the second for a green
// road); a car of B turns the light while a car of A that loaded 1 a moment ago is crossing. Only a lock (or a
// compare_exchange that makes the decision one step, plus a count of the cars crossing) makes the sequence whole.
// The explorer finds both schedules (TwoCarsOfTheRedRoadTurnItGreenOnce, CarsOnBothRoadsNeverCrossTogether).
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
    if (green_.load() != roadId) {  // BUG: look, turn and cross are three steps; other cars run between them
      turnGreen();
      green_.store(roadId);
    }
    crossCar();
  }

 private:
  sync::atomic<int> green_{1};  // BUG: atomic loads and stores, but no atomic decision
};

}  // namespace lab
