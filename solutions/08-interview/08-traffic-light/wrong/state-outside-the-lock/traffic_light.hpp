// Drill 08.08 traffic-light, WRONG (state-outside-the-lock): checks the light without the lock; locks only to turn it.
//
// Why it looks right: "only the switch changes the state, so only the switch needs the lock", and a car of the
// green road never takes a lock at all: fast. Why it is wrong: the check reads green_ while another car writes it
// under the lock (a data race: ThreadSanitizer and the explorer report it), and the check and the switch are two
// steps: two cars of road B both see A green and both call turnGreen(); a car of road B turns the light while a car
// of road A, which checked a moment earlier, is crossing. The look, the change and the crossing must be one step.
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
    if (green_ != roadId) {  // BUG: read without mu_, and the decision outlives the read
      sync::lock_guard lock(mu_);
      turnGreen();
      green_ = roadId;
    }
    crossCar();  // BUG: nothing stops the other road's car from turning the light now
  }

 private:
  sync::mutex mu_;
  int green_ = 1;  // guarded by mu_: the green road, 1 (A) or 2 (B); A is green at the start
};

}  // namespace lab
