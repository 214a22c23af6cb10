// Drill 08.08 traffic-light, WRONG (turn-green-every-time): every car calls turnGreen(), then crosses.
//
// Why it looks right: "turn my road green, then cross" is always safe for the car itself, and the mutex keeps
// the cars apart. Why it is wrong: the problem forbids turning green a road that is already green (LeetCode judges
// it a wrong answer: the light would flicker for nothing). The light must remember which road is green and call
// turnGreen() only on a change. The first car on road A, alone, shows it on every run
// (FirstCarOnRoadACrossesWithoutTurningGreen).
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
    turnGreen();  // BUG: also when the car's road is already green
    green_ = roadId;
    crossCar();
  }

 private:
  sync::mutex mu_;
  int green_ = 1;  // guarded by mu_: the green road, 1 (A) or 2 (B); A is green at the start
};

}  // namespace lab
