// Drill 08.08 traffic-light, WRONG (waits-for-green): the final version, but a car of the red road waits until
// its road is green.
//
// Why it looks right: it is what a driver does: stop at red, go at green. Why it is wrong: in this problem the
// CAR turns the light (turnGreen is its callback); nobody else will. A car of road B waits for B to turn green,
// and only a car of road B could turn it: it sleeps for ever, and so does every car of B behind it. The wait must
// be for the moment the car may turn the light itself: its road is green OR nobody is crossing. The explorer
// reports the deadlock with one car on road B (CarsOnBothRoadsNeverCrossTogether,
// TwoCarsOfTheRedRoadTurnItGreenOnce); on real threads the problem's example hangs on its second car.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// TrafficLight: one light for road A (1) and road B (2); A is green at the start. carArrived() lets the car
// cross on its road, turning the road green first if it is red, never turning a green road green, and never
// while a car of the other road is crossing. Any number of cars at once; each call returns after the car
// crossed. Cars of the green road may cross at the same time.
class TrafficLight {
 public:
  TrafficLight() = default;

  void carArrived(int carId, int roadId, int direction, std::function<void()> turnGreen,
                  std::function<void()> crossCar) {
    (void)carId;
    (void)direction;
    {
      sync::unique_lock lock(mu_);
      may_go_.wait(lock, [&] { return green_ == roadId; });  // BUG: who turns it green, if everyone waits for it?
      if (green_ != roadId) {
        turnGreen();  // under mu_, with nobody crossing: part of the state change
        green_ = roadId;
      }
      ++crossing_;
    }
    crossCar();  // outside mu_: cars of the green road cross together; crossing_ > 0 keeps the light as it is
    {
      sync::lock_guard lock(mu_);
      if (--crossing_ == 0) may_go_.notify_all();  // the intersection is empty: cars of the red road may turn it
    }
  }

 private:
  sync::mutex mu_;
  int green_ = 1;                    // guarded by mu_: the green road, 1 (A) or 2 (B); A is green at the start
  int crossing_ = 0;                 // guarded by mu_: cars inside crossCar() right now, all of road green_
  sync::condition_variable may_go_;  // waited on with mu_ for "green_ == my road || crossing_ == 0"
};

}  // namespace lab
