// Drill 08.08 traffic-light, NAIVE: a home-made lock, a spin on a plain bool.
//
// The first answer of someone who knows "one car at a time" but reaches for a flag instead of a mutex: spin
// (politely, with a yield) while `busy_` is set, set it, do the light's work, clear it. Why it looks right: the
// state machine inside is right (turn green only when the car's road is red, then cross), and on one thread, or
// when cars arrive one after another, the output is exactly right.
//
// Why it is wrong: `busy_` is a plain bool that several threads read and write with nothing ordering them, a
// data race (undefined behaviour). Concretely, the check and the set are two steps: two cars on different roads
// both see busy_ == false, both go in, and the car on B turns the light while the car on A is crossing, or both
// cars of road B call turnGreen. Even the clear at the end publishes nothing: the next car may see an old
// green_. ThreadSanitizer reports it in every test with two cars; the explorer on the first schedule that has
// both accesses. A spin also burns a core while it waits. The improved version uses a mutex.
//
// Lesson: modules/08-interview/04-queues-and-intersections.md ("The traffic light: a state machine under a lock").
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// TrafficLight: one light for road A (1) and road B (2); A is green at the start. carArrived() lets the car
// cross on its road, turning the road green first if it is red, never turning a green road green. Any number of
// cars at once; each call returns after the car crossed.
class TrafficLight {
 public:
  TrafficLight() = default;

  void carArrived(int carId, int roadId, int direction, std::function<void()> turnGreen,
                  std::function<void()> crossCar) {
    (void)carId;
    (void)direction;
    while (busy_) sync::this_thread::yield();  // BUG: a plain read that others write
    busy_ = true;                              // BUG: check and set are two steps: two cars both get in
    if (green_ != roadId) {
      turnGreen();
      green_ = roadId;
    }
    crossCar();
    busy_ = false;
  }

 private:
  bool busy_ = false;  // BUG: a plain bool used as a lock
  int green_ = 1;      // road A is green at the start
};

}  // namespace lab
