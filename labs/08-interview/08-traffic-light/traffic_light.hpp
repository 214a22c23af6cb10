// Drill 08.08: traffic-light (LeetCode 1279, "Traffic Light Controlled Intersection").
// Problem: labs/08-interview/08-traffic-light/problem.md.   Timed: ./conclab drill 08.08
// Lesson: modules/08-interview/04-queues-and-intersections.md.   Check: ./conclab check 08.08
//
// Write lab::TrafficLight, the controller of one light at the crossing of road A (roadId 1, directions 1 and 2)
// and road B (roadId 2, directions 3 and 4). Exactly one road is green at a time; road A is green at the start.
//
//   carArrived(carId, roadId, direction, turnGreen, crossCar) is called by each car, on its own thread, any
//   number of cars at once. It returns once the car has crossed:
//   - call crossCar() exactly once, and only while the car's road is green;
//   - if the car's road is red, call turnGreen() first (it turns the car's road green and the other red);
//     NEVER call turnGreen() for a road that is already green;
//   - no car may be crossing on one road while the light turns green for the other;
//   - no deadlock: every car crosses.
//
// Build it from conclab::sync's primitives (sync::mutex, sync::condition_variable...). They are std's in the
// normal and ThreadSanitizer builds; in the sim build they are instrumented, so that the explorer can try every
// schedule of your threads and check every plain read and write for a data race.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class TrafficLight {
 public:
  TrafficLight() = default;

  void carArrived(int carId,                        // the car's id
                  int roadId,                       // 1 = road A, 2 = road B
                  int direction,                    // 1, 2 on road A; 3, 4 on road B
                  std::function<void()> turnGreen,  // turns the car's road green
                  std::function<void()> crossCar) {  // the car crosses the intersection
    // TODO(lab): let the car cross, turning its road green first if it is red, with no other car turning the
    // light while this one decides and crosses.
    (void)carId;
    (void)roadId;
    (void)direction;
    (void)turnGreen;
    (void)crossCar;
  }

 private:
  // TODO(lab): which road is green (road A at the start), and what guards it.
};

}  // namespace lab
