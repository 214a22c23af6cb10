// Graded tests for lab 03.07, lost-wakeup: a one-shot Event that any number of threads wait for.
//
// A lost wakeup on real threads is a hang, and only on the runs where the notify happens to fall into the gap.
// So the tests that matter are sim tests (CONCLAB_SIM_TEST): in the sim build the explorer runs every schedule of
// a setter and one or two waiters with up to two preemptions, spurious wakeups included, and reports a thread
// left asleep with nobody to wake it as a LOST WAKEUP, with the schedule step by step. The payload is a plain int
// the setter writes before set() and a waiter reads after wait(): the explorer checks that read for a data race
// (set() must publish, wait() and is_set() must observe), whichever value it happens to read.
//
// In the default and ThreadSanitizer builds the same bodies run 20 times on real threads, under a watchdog
// (watched() below): a waiter nobody wakes fails the test with a message after a few seconds instead of hanging
// the run. One test is deterministic there too: set() then wait() on one thread must not block.
#include <event.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"
#include "conclab/finishes.hpp"
#include "conclab/watchdog.hpp"

namespace {

constexpr const char* kLesson = " (lesson: modules/03-classic-problems/07-lost-wakeups.md)";
constexpr int kPayload = 42;

// The watchdog's patience (conclab/watchdog.hpp): a correct Event takes microseconds; a call still blocked after
// this much real time is taken to be blocked for good. Not a timing assertion: it decides nothing for correct code.
const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(1));

// Runs `body`: in the sim build as it is (the explorer reports a lost wakeup itself, with the schedule and the
// explain() text); on real threads under the watchdog, so that a waiter nobody wakes fails the test with
// `if_stuck` instead of hanging the run. `body` must own what it uses (a shared_ptr): if it never returns, its
// thread is left behind.
void watched(std::function<void()> body, const std::string& if_stuck) {
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), kPatience))
      << "not finished after " << kPatience.count() / 1000.0 << " s (a correct Event takes microseconds here): "
      << if_stuck << ". The explorer shows the schedule: ./conclab explore 03.07" << kLesson;
}

// ---- Ordinary tests: one thread, deterministic everywhere. ----

TEST(EventTest, StartsUnset) {
  const lab::Event e;
  EXPECT_FALSE(e.is_set()) << "a new Event has not been set: is_set() must be false until set() is called" << kLesson;
}

TEST(EventTest, SetBeforeWaitDoesNotBlock) {
  auto e = std::make_shared<lab::Event>();
  e->set();
  EXPECT_TRUE(e->is_set()) << "after set(), is_set() must be true" << kLesson;
  const bool returned = conclab::returns_in_time([e] { e->wait(); }, kPatience);
  EXPECT_TRUE(returned)
      << "set() was called, then wait() on the same thread, and wait() has not returned after "
      << kPatience.count() / 1000.0 << " s. The event is set: wait() must return at once. A wait() that sleeps until "
      << "a notify misses the notify that set() sent before anyone waited: a condition variable keeps no memory of "
      << "notifies. Check the state first, under the mutex (cv.wait(lock, [&] { return set_; }) does it for you), "
      << "or wait on the state itself (atomic::wait(old) returns at once when the value is no longer `old`). "
      << "Section \"The notify nobody heard\"" << kLesson;
}

TEST(EventTest, SetTwiceChangesNothing) {
  auto e = std::make_shared<lab::Event>();
  e->set();
  e->set();
  EXPECT_TRUE(e->is_set()) << "set() twice: the event is still set (a one-shot event never goes back)" << kLesson;
  EXPECT_TRUE(conclab::returns_in_time([e] { e->wait(); }, kPatience))
      << "set() twice, then wait() did not return: a set event must let every wait() through at once" << kLesson;
}

// ---- Sim tests: every schedule in the sim build; 20 runs on real threads (under the watchdog) elsewhere. ----

constexpr const char* kLostWakeupOneWaiter =
    "the waiter is asleep in wait() and the setter has finished set(): nobody is left to wake it. That is a lost "
    "wakeup. Look at the schedule: where was the waiter when set() notified? If it was not asleep yet, the notify "
    "found nobody and was gone (a condition variable keeps no memory). wait() must check the event's state before "
    "it sleeps, and set() must change that state while holding the mutex the waiter checks it under, so that it "
    "cannot fall between the waiter's check and its sleep; and set() must notify AFTER it changed the state. With "
    "atomic::wait: store the new value, then notify_all()";

// The playable test: one setter, one waiter. The setter writes a payload, then set()s; the waiter wait()s, then
// reads the payload.
CONCLAB_SIM_TEST(EventTest, WaiterWakesWhenTheSetterSets) {
  conclab::sim::explain(std::string(kLostWakeupOneWaiter) + kLesson);
  struct State {
    lab::Event event;
    int payload = 0;  // plain on purpose: set() must publish it, wait() must observe it
  };
  auto st = std::make_shared<State>();
  watched(
      [st] {
        conclab::sync::jthread waiter([&] {
          st->event.wait();
          ASSERT_TRUE(st->event.is_set())
              << "wait() returned, but the event is not set: the waiter went on before set() was called. In the "
              << "schedule below, look at how its wait ended. A wait on a condition variable may return with no "
              << "notify at all (a spurious wakeup, which the standard allows): after every wakeup, check the state "
              << "again and sleep again if it is not set (a predicate wait, cv.wait(lock, [&] { return set_; }), or "
              << "a `while`, never an `if`). An atomic's wait(old) returns as soon as the value DIFFERS from `old`: "
              << "pass the value you are waiting to leave (unset), not the one you hope for" << kLesson;
          EXPECT_EQ(st->payload, kPayload)
              << "wait() returned and the event is set, but the payload the setter wrote before set() is "
              << st->payload << ", not " << kPayload << ": set() did not publish it to the waiter" << kLesson;
        });
        conclab::sync::jthread setter([&] {
          st->payload = kPayload;
          st->event.set();
        });
      },
      kLostWakeupOneWaiter);
}

constexpr const char* kLostWakeupTwoWaiters =
    "a waiter is asleep in wait() and the setter has finished set(): nobody is left to wake it. If both waiters "
    "were asleep when set() notified, did it wake only one (notify_one)? An event releases EVERY waiter: "
    "notify_all. If a waiter was not asleep yet, see the message of WaiterWakesWhenTheSetterSets: the state must "
    "change under the mutex the waiters check it under, before the notify";

// Two waiters and a setter (the test's own thread sets).
CONCLAB_SIM_TEST(EventTest, SetWakesEveryWaiter) {
  conclab::sim::explain(std::string(kLostWakeupTwoWaiters) + kLesson);
  struct State {
    lab::Event event;
    int payload = 0;  // plain: written before set(), read after wait()
  };
  auto st = std::make_shared<State>();
  watched(
      [st] {
        auto waiter = [&] {
          st->event.wait();
          ASSERT_TRUE(st->event.is_set())
              << "one of two waiters returned from wait() before the event was set: after a wakeup, check the state "
              << "again (a predicate wait, or `while`, not `if`); an atomic's wait(old) must be given the value it "
              << "waits to leave (unset)" << kLesson;
          EXPECT_EQ(st->payload, kPayload) << "a waiter returned from wait(), but the payload written before set() is "
                                           << st->payload << ", not " << kPayload << kLesson;
        };
        conclab::sync::jthread first(waiter);
        conclab::sync::jthread second(waiter);
        st->payload = kPayload;
        st->event.set();
      },
      kLostWakeupTwoWaiters);
}

// is_set() while another thread sets: no waiting at all, only publication. A true from is_set() is a promise that
// the setter's earlier writes are visible, as much as a return from wait() is.
CONCLAB_SIM_TEST(EventTest, IsSetTrueMeansTheSettersWritesAreVisible) {
  struct State {
    lab::Event event;
    int payload = 0;  // plain: written before set(), read after is_set() returned true
  };
  auto st = std::make_shared<State>();
  watched(
      [st] {
        conclab::sync::jthread setter([&] {
          st->payload = kPayload;
          st->event.set();
        });
        if (st->event.is_set()) {
          EXPECT_EQ(st->payload, kPayload)
              << "is_set() returned true, but the payload the setter wrote before set() is " << st->payload << ", not "
              << kPayload << ": set() must publish (a release store, or the mutex) and is_set() observe (an acquire "
              << "load, or the same mutex)" << kLesson;
        }
      },
      "is_set() and set() on two threads did not finish: neither of them should ever block");
}

}  // namespace
