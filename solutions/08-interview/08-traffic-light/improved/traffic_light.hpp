// Drill 08.08 traffic-light, IMPROVED: a mutex around a two-state machine.
//
// What changed from naive, and why: a sync::mutex replaces the home-made flag. Each car holds it from the moment
// it looks at the light until it has crossed, so the look, the switch and the crossing are one step as far as
// any other car can tell: a car of road B cannot turn the light while a car of road A is crossing, two cars of B
// cannot both decide to turn green (the second one sees green_ == 2 and just crosses), and the mutex orders every
// read and write of green_ (no data race).
//
// The state machine: green_ is 1 or 2. A car of the green road crosses; a car of the red road calls turnGreen(),
// sets green_ to its road, and crosses. turnGreen() is called only when green_ != roadId, so never for a green
// road. Road A green at the start: green_ = 1. The direction does not matter to the light (LeetCode passes it
// only to be printed); the road does.
//
// The price: every car crosses alone, even two cars of the same road, which the light would allow together; and
// the callbacks run under the lock (a slow crossCar() holds up every car behind it). For LeetCode's 20 cars and
// in an interview, this is the answer. The final version lets cars of the green road cross at once.
//
// Lesson: modules/08-interview/04-queues-and-intersections.md ("The traffic light: a state machine under a lock").
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
  int green_ = 1;  // guarded by mu_: the green road, 1 (A) or 2 (B); A is green at the start
};

}  // namespace lab
