// Graded tests for drill 08.08, traffic-light (LeetCode 1279).
//
// The tests play the intersection. Each car gets a turnGreen and a crossCar callback from an Intersection (below)
// that records what happens, in order, and checks the rules the moment a callback runs: a car crosses only on the
// green road; turnGreen is never called for a road that is already green; the light never turns while a car of
// the other road is crossing; and, at the end, every car crossed exactly once. crossCar is not instantaneous: it
// enters the intersection, then leaves it (two steps, each under the Intersection's own sync::mutex), so another
// car can act while one is inside, and the explorer can switch threads there.
//
//   - one thread, deterministic everywhere: the first car on road A, and the problem's example in order;
//   - real threads: 20 cars (LeetCode's limit), car 1 alone on road A and then 19 from both roads at once, ten
//     times, under a watchdog; in the ThreadSanitizer build this catches a light read or written without the lock
//     on every run;
//   - sim tests (CONCLAB_SIM_TEST): a car on each road, and two cars on the red road, on every schedule with up to
//     two preemptions and spurious wakeups; the explorer also checks every plain read and write for a data race.
#include <traffic_light.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "conclab/sim_test.hpp"
#include "conclab/start_gate.hpp"
#include "conclab/sync.hpp"
#include "conclab/finishes.hpp"
#include "conclab/watchdog.hpp"

namespace {

constexpr const char* kLesson = " (lesson: modules/08-interview/04-queues-and-intersections.md)";

const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(5));

const char* road_name(int road) { return road == 1 ? "A" : road == 2 ? "B" : "?"; }

// The intersection the cars cross: the light as the callbacks have set it, and a log. Thread-safe.
class Intersection {
 public:
  std::function<void()> turn_green(int car, int road) {
    return [this, car, road] { on_turn_green(car, road); };
  }
  std::function<void()> cross(int car, int road) {
    return [this, car, road] { on_cross(car, road); };
  }

  // Lets car `car` on `road` (direction `direction`) arrive at `light`.
  void arrive(lab::TrafficLight& light, int car, int road, int direction) {
    light.carArrived(car, road, direction, turn_green(car, road), cross(car, road));
  }

  std::string log() {
    conclab::sync::lock_guard lock(mu_);
    return log_;
  }
  int times_crossed(int car) {
    conclab::sync::lock_guard lock(mu_);
    const auto it = crossed_.find(car);
    return it == crossed_.end() ? 0 : it->second;
  }

 private:
  void on_turn_green(int car, int road) {
    conclab::sync::lock_guard lock(mu_);
    EXPECT_NE(light_, road) << "car " << car << " called turnGreen() for road " << road_name(road)
                            << ", which is ALREADY green (LeetCode judges that a wrong answer). Call turnGreen() "
                            << "only when the car's road is red: keep which road is green (A at the start) and "
                            << "compare it with the car's roadId (not its direction). So far: " << log_ << kLesson;
    const int other = 3 - road;
    EXPECT_EQ(crossing_[other], 0)
        << "car " << car << " turned road " << road_name(road) << " green while " << crossing_[other]
        << " car(s) of road " << road_name(other) << " were crossing: they are now in the intersection on a red "
        << "road. The light may turn only when no car of the other road is crossing: hold the lock through the "
        << "crossing, or count the cars crossing and turn only at zero. So far: " << log_ << kLesson;
    light_ = road;
    log_ += std::string("road ") + road_name(road) + " turns green; ";
  }

  void on_cross(int car, int road) {
    {
      conclab::sync::lock_guard lock(mu_);
      EXPECT_EQ(light_, road) << "car " << car << " crossed on road " << road_name(road) << ", which is RED (road "
                              << road_name(light_) << " is green): call turnGreen() first when the car's road is "
                              << "red, and let nobody turn the light back before the car has crossed. So far: "
                              << log_ << kLesson;
      ++crossing_[road];
      ++crossed_[car];
    }
    {  // leaving: a second step, so that another car can act while this one is inside
      conclab::sync::lock_guard lock(mu_);
      --crossing_[road];
      log_ += "car " + std::to_string(car) + " crosses " + road_name(road) + "; ";
    }
  }

  conclab::sync::mutex mu_;
  int light_ = 1;                  // guarded by mu_: the green road as the turnGreen calls have set it; A at first
  int crossing_[3] = {0, 0, 0};    // guarded by mu_: cars inside crossCar, per road (index 1 = A, 2 = B)
  std::map<int, int> crossed_;     // guarded by mu_: crossCar calls per car
  std::string log_;                // guarded by mu_
};

struct Scene {
  lab::TrafficLight light;
  Intersection road;
};

// Runs `body`: in the sim build as it is (the explorer reports a deadlock itself); on real threads under the
// watchdog, so that a car stuck for good fails the test with words. `body` must own what it uses.
void watched(std::function<void()> body, const std::string& if_stuck) {
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), kPatience))
      << "not finished after " << kPatience.count() / 1000.0 << " s (a correct light takes microseconds here): "
      << if_stuck << ". The explorer shows the schedule: ./conclab explore 08.08" << kLesson;
}

// ---- One thread: deterministic everywhere. ----

TEST(TrafficLightTest, FirstCarOnRoadACrossesWithoutTurningGreen) {
  auto s = std::make_shared<Scene>();
  watched([s] { s->road.arrive(s->light, 1, 1, 2); }, "one car on road A, alone, did not get across");
  EXPECT_EQ(s->road.log(), "car 1 crosses A; ")
      << "road A is green at the start, so car 1 on road A (direction 2) just crosses: no turnGreen()" << kLesson;
}

// The problem's example, one car after another.
TEST(TrafficLightTest, ExampleCarsInTurnOnOneThread) {
  auto s = std::make_shared<Scene>();
  watched(
      [s] {
        s->road.arrive(s->light, 1, 1, 1);
        s->road.arrive(s->light, 3, 2, 3);
        s->road.arrive(s->light, 5, 2, 4);
        s->road.arrive(s->light, 2, 1, 2);
        s->road.arrive(s->light, 4, 2, 3);
      },
      "five cars arriving one after another on one thread did not all get across");
  EXPECT_EQ(s->road.log(),
            "car 1 crosses A; road B turns green; car 3 crosses B; car 5 crosses B; road A turns green; "
            "car 2 crosses A; road B turns green; car 4 crosses B; ")
      << "cars 1 (A), 3 (B), 5 (B), 2 (A), 4 (B) arrive one after another: a car of the green road just crosses, "
      << "a car of the red road turns it green first, exactly once per change" << kLesson;
}

// ---- Real threads: LeetCode's limit of 20 cars, from both roads at once. ----

TEST(TrafficLightTest, TwentyCarsFromBothRoadsEachCrossOnce) {
  constexpr int kCars = 20;
  for (int round = 0; round < 10; ++round) {
    auto s = std::make_shared<Scene>();
    watched(
        [s] {
          s->road.arrive(s->light, 1, 1, 1);  // car 1 first, alone, on road A (green at the start)
          conclab::StartGate gate(kCars - 1);
          std::vector<conclab::sync::jthread> cars;
          for (int car = 2; car <= kCars; ++car) {
            const int road = car % 3 == 0 ? 2 : (car % 2 == 0 ? 1 : 2);  // a mix of both roads
            const int direction = road == 1 ? 1 + car % 2 : 3 + car % 2;
            cars.emplace_back([s, &gate, car, road, direction] {
              gate.arrive_and_wait();
              s->road.arrive(s->light, car, road, direction);
            });
          }
          gate.open();
        },
        "car 1 on road A, then 19 cars from both roads at once, did not all get across: a car waits for something "
        "no other car will do");
    for (int car = 1; car <= kCars; ++car) {
      ASSERT_EQ(s->road.times_crossed(car), 1)
          << "round " << round << ": car " << car << " called crossCar() " << s->road.times_crossed(car)
          << " times; every car must cross exactly once. The log: " << s->road.log() << kLesson;
    }
  }
}

// ---- Sim tests: every schedule in the sim build; 20 runs on real threads (under the watchdog) elsewhere. ----

// A car on each road at once: one of them must wait for the other, whichever comes first.
CONCLAB_SIM_TEST(TrafficLightTest, CarsOnBothRoadsNeverCrossTogether) {
  conclab::sim::explain(std::string("a car waits to cross and nobody will ever let it: is the car of the red road "
                                    "waiting for the intersection to empty, and was it told when it did?") +
                        kLesson);
  auto s = std::make_shared<Scene>();
  watched(
      [s] {
        {
          conclab::sync::jthread a([&] { s->road.arrive(s->light, 1, 1, 1); });
          conclab::sync::jthread b([&] { s->road.arrive(s->light, 2, 2, 3); });
        }
        const std::string log = s->road.log();
        EXPECT_TRUE(log == "car 1 crosses A; road B turns green; car 2 crosses B; " ||
                    log == "road B turns green; car 2 crosses B; road A turns green; car 1 crosses A; ")
            << "car 1 on road A and car 2 on road B arrived at once. Either A's car crosses first, then B turns "
            << "green and B's car crosses; or B turns green, B's car crosses, A turns green and A's car crosses. "
            << "The log was: " << log << kLesson;
      },
      "a car on road A and a car on road B did not both get across");
}

// Two cars of the red road at once: the light turns green once, and both cross.
CONCLAB_SIM_TEST(TrafficLightTest, TwoCarsOfTheRedRoadTurnItGreenOnce) {
  auto s = std::make_shared<Scene>();
  watched(
      [s] {
        {
          conclab::sync::jthread first([&] { s->road.arrive(s->light, 1, 2, 3); });
          conclab::sync::jthread second([&] { s->road.arrive(s->light, 2, 2, 4); });
        }
        const std::string log = s->road.log();
        EXPECT_TRUE(log == "road B turns green; car 1 crosses B; car 2 crosses B; " ||
                    log == "road B turns green; car 2 crosses B; car 1 crosses B; ")
            << "cars 1 and 2 arrived at once on road B, which was red: exactly one of them turns B green, then both "
            << "cross. The log was: " << log
            << ". Two turnGreen calls mean both cars decided \"B is red\" before either changed the light: the look "
            << "and the change must be one step (under one lock)" << kLesson;
      },
      "two cars on road B did not both get across");
}

}  // namespace
