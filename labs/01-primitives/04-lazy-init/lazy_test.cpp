// Graded tests for lab 01.04, lazy init. Lesson: modules/01-primitives/05-call-once-and-static-init.md
//
// The classic bug (two threads both find "not built yet" and both build) needs one thread to be
// paused between its check and its build while another gets through. Instead of hoping for that, the
// racing tests pause it on purpose: Lazy calls its interleave hook once per get(), holding no lock, and
// HoldTheFirstCaller (below) keeps the first thread that reaches the hook there until every other
// caller's get() has returned. A Lazy that checks and builds as one step (a mutex held across both)
// calls the hook before that step: the other callers build the value, and the paused one then finds it
// built. A Lazy that checks, then builds, with the hook in between, builds twice, every run.
//
// A hook only pauses a thread where the code under test calls it, so those tests cannot catch a bug
// whose window is somewhere else. The sim tests (CONCLAB_SIM_TEST) can: in the graded run's sim build
// the explorer runs two callers on every schedule (up to two preemptions), switching threads at every
// sync:: operation, wherever the hook is. They catch a second build, a get() that returns before the
// value is built, a read of the value not ordered after its build, and a Lazy left stuck after the
// initialiser threw; a failure prints the schedule
// step by step. In the other builds they run 20 times on real threads. The explorer follows the C++
// memory model, not x86's, and checks every plain read and write by happens-before: a "built" flag that
// is a plain bool, or an atomic loaded with memory_order_relaxed where acquire is needed, leaves the
// fast path's read of the value unordered with the builder's write, and the explorer reports that data
// race with both lines, every run (on x86 real threads never show it).
//
// The tests that can block for good run under a watchdog on real threads (watched(), below): if get() never
// returns (the hook called while a lock is held, so the paused thread holds what the other callers wait
// for; or a mutex left locked when the initialiser threw), the test fails after a few seconds with a message
// that says which, instead of hanging the run. If a *sim* test hangs in the sim build, look for
// std::call_once: a caller waiting inside it blocks the real thread that the explorer runs every thread on
// (lazy.hpp says what to use instead).
#include <lazy.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "conclab/run_threads.hpp"
#include "conclab/finishes.hpp"
#include "conclab/watchdog.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"

namespace {

constexpr const char* kLesson = "modules/01-primitives/05-call-once-and-static-init.md";

// Pauses the first thread that reaches the hook until `others` other threads have reported that their
// get() returned. Never hangs on its own: if no thread ever calls the hook, nobody is paused.
//
//   HoldTheFirstCaller hold(kThreads - 1);
//   lab::Lazy<int> lazy(init, hold.hook());
//   run_threads(kThreads, [&](int) { lazy.get(); hold.returned(); });
class HoldTheFirstCaller {
 public:
  explicit HoldTheFirstCaller(int others) : others_(others) {}

  std::function<void()> hook() {
    return [this] {
      if (opened_.exchange(true)) return;  // only the first caller pauses, and only once
      held_here = true;
      for (int seen = returned_.load(); seen < others_; seen = returned_.load()) returned_.wait(seen);
    };
  }

  // Each calling thread reports here once its get() has returned.
  void returned() {
    if (held_here) {
      held_here = false;  // the paused thread itself: the others do not wait for it
      return;
    }
    returned_.fetch_add(1);
    returned_.notify_all();
  }

 private:
  inline static thread_local bool held_here = false;  // set on the thread that the hook paused
  const int others_;
  conclab::sync::atomic<bool> opened_{false};
  conclab::sync::atomic<int> returned_{0};
};

// The watchdog (conclab/watchdog.hpp): a correct Lazy takes microseconds; a get() that has not returned after
// kPatience of real time is blocked for good, and the test fails with `if_stuck` instead of hanging the run (the
// blocked thread is left behind; the body owns what it touches through a shared_ptr, so that is safe). In the sim
// build the body just runs: the explorer reports a deadlock itself, with the schedule.
void watched(std::function<void()> body, const std::string& if_stuck) {
  const std::chrono::milliseconds patience = conclab::patience(std::chrono::seconds(3));
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), patience))
      << "get() had not returned after " << patience.count() / 1000.0 << " s (a correct Lazy takes microseconds): "
      << "it is blocked for good. " << if_stuck << " Read " << kLesson << '.';
}

constexpr const char* kHookUnderLock =
    "The thread paused in the interleave hook holds a lock the other callers wait for, and it waits for them to "
    "return: get() calls the hook while holding its mutex. Call the hook before you lock, never under a lock.";
constexpr const char* kLockLeftHeld =
    "The initialiser threw, and the exception left get() with its mutex still locked (mu_.lock() ... mu_.unlock() "
    "called by hand, and the unlock skipped): every later get() waits for that lock forever. Use a "
    "sync::lock_guard, whose destructor unlocks while the exception leaves.";

std::string init_count_message(int threads, int inits) {
  std::ostringstream out;
  out << threads << " threads called get() at the same time and the initialiser ran " << inits
      << " times; it must run exactly once. ";
  if (inits > 1) {
    out << "One caller was paused between finding the value missing and building it, and another caller "
           "built it in that gap: check-then-act. Make the check and the build one step: hold one mutex "
           "from the check through the build (and call the hook before you lock).";
  } else {
    out << "Every get() must return the value, so the first one has to build it.";
  }
  out << " Read " << kLesson << '.';
  return out.str();
}

TEST(LazyTest, DoesNotInitBeforeTheFirstGet) {
  int inits = 0;
  lab::Lazy<int> lazy([&] { return ++inits; });
  EXPECT_EQ(inits, 0) << "constructing a Lazy must not run the initialiser: it runs on the first get(), "
                      << "which may be never (that is the point of lazy initialisation).";
}

TEST(LazyTest, InitRunsOnceAndEveryGetReturnsTheSameObject) {
  int inits = 0;
  lab::Lazy<std::string> lazy([&] {
    ++inits;
    return std::string("configuration loaded");
  });
  const std::string& first = lazy.get();
  const std::string& second = lazy.get();
  const std::string& third = lazy.get();
  EXPECT_EQ(first, "configuration loaded") << "get() must return what the initialiser built";
  EXPECT_EQ(inits, 1) << "three get() calls on one thread ran the initialiser " << inits << " times; it must "
                      << "run on the first call only, and later calls return what it built.";
  EXPECT_TRUE(&first == &second && &second == &third)
      << "every get() must return a reference to the same object, built once and kept inside the Lazy";
}

TEST(LazyTest, TwoCallersRacingForTheFirstGetInitOnce) {
  // Two threads call get() together. One of them is paused at the hook until the other's get() has
  // returned; then it goes on. The initialiser must have run once, and both must see its value.
  static constexpr int kThreads = 2;
  struct State {
    conclab::sync::atomic<int> inits{0};
    HoldTheFirstCaller hold{kThreads - 1};
    lab::Lazy<std::string> lazy{[this] {
                                  inits.fetch_add(1);
                                  return std::string("expensive");
                                },
                                hold.hook()};
    std::vector<std::string> seen = std::vector<std::string>(kThreads);
  };
  auto st = std::make_shared<State>();
  watched([st] {
    conclab::run_threads(kThreads, [&](int i) {
      st->seen[static_cast<std::size_t>(i)] = st->lazy.get();  // a copy: a second build would destroy the first object
      st->hold.returned();
    });
  }, kHookUnderLock);
  if (::testing::Test::HasFailure()) return;
  EXPECT_EQ(st->inits.load(), 1) << init_count_message(kThreads, st->inits.load());
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(st->seen[static_cast<std::size_t>(i)], "expensive")
        << "thread " << i << "'s get() returned \"" << st->seen[static_cast<std::size_t>(i)]
        << "\": every caller must see the fully built value";
  }
}

TEST(LazyTest, ManyCallersRacingForTheFirstGetInitOnceAndShareOneObject) {
  // Eight threads call get() together; the first to reach the hook waits there until the seven others
  // have returned. Besides the count, every caller must get the same object, fully built. Without
  // synchronisation, the callers that are not paused also race with each other on value_, which
  // ThreadSanitizer reports even when the count happens to come out right.
  static constexpr int kThreads = 8;
  struct State {
    conclab::sync::atomic<int> inits{0};
    HoldTheFirstCaller hold{kThreads - 1};
    lab::Lazy<int> lazy{[this] {
                          inits.fetch_add(1);
                          return 42;
                        },
                        hold.hook()};
    std::vector<const int*> addresses = std::vector<const int*>(kThreads);
    std::vector<int> values = std::vector<int>(kThreads);
  };
  auto st = std::make_shared<State>();
  watched([st] {
    conclab::run_threads(kThreads, [&](int i) {
      const int& value = st->lazy.get();
      st->addresses[static_cast<std::size_t>(i)] = &value;
      st->values[static_cast<std::size_t>(i)] = value;
      st->hold.returned();
    });
  }, kHookUnderLock);
  if (::testing::Test::HasFailure()) return;
  EXPECT_EQ(st->inits.load(), 1) << init_count_message(kThreads, st->inits.load());
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(st->values[static_cast<std::size_t>(i)], 42)
        << "thread " << i << " got " << st->values[static_cast<std::size_t>(i)]
        << " from get(); the initialiser returns 42. A caller must never see the value half built.";
    EXPECT_EQ(st->addresses[static_cast<std::size_t>(i)], st->addresses[0])
        << "threads 0 and " << i << " got references to different objects: there must be one value, "
        << "built once, that every caller shares.";
  }
}

TEST(LazyTest, InitThatThrowsIsRunAgainByTheNextGet) {
  struct State {
    int attempts = 0;
    lab::Lazy<std::string> lazy{[this]() -> std::string {
      if (++attempts == 1) throw std::runtime_error("the configuration server is down");
      return "configuration loaded";
    }};
    bool first_threw = false;
    std::string second_error;            // what the second get() threw, if it did
    const std::string* value = nullptr;  // the reference the second get() returned
  };
  auto st = std::make_shared<State>();
  watched([st] {
    try {
      (void)st->lazy.get();
    } catch (const std::runtime_error&) {
      st->first_threw = true;
    }
    try {
      st->value = &st->lazy.get();
    } catch (const std::exception& e) {
      st->second_error = e.what();
    }
  }, kLockLeftHeld);
  if (::testing::Test::HasFailure()) return;
  EXPECT_TRUE(st->first_threw) << "when the initialiser throws, get() must let the exception out to its caller";
  ASSERT_NE(st->value, nullptr)
      << "the initialiser threw on the first get(), so nothing was built: the next get() must run it again (it "
      << "succeeds this time) instead of rethrowing (it threw \"" << st->second_error << "\"). Read "
      << "\"Exceptions during initialisation\" in " << kLesson << '.';
  ASSERT_EQ(st->attempts, 2)
      << "the initialiser threw on the first get(), so nothing was built, and the second get() returned without "
      << "running it again (" << st->attempts << " run(s) in all): it handed out a reference to a value that was "
      << "never constructed. The Lazy kept a \"started\" or \"done\" mark from the attempt that threw. Set such a "
      << "mark only after the initialiser has returned and the value is stored (or let the std::optional itself "
      << "say whether it is built). Read \"Exceptions during initialisation\" in " << kLesson << '.';
  EXPECT_EQ(*st->value, "configuration loaded") << "the second attempt built the value; get() must return it";
  EXPECT_EQ(st->lazy.get(), "configuration loaded") << "a third get() must return the value the second one built";
  EXPECT_EQ(st->attempts, 2) << "after a successful initialisation the initialiser must not run again";
}

// ---- Sim tests: every schedule of two callers (the sim build), or 20 runs on real threads (the others) ----
//
// Each initialiser below does a sync:: operation, so the explorer can also switch threads *inside* it:
// while one caller is building the value, the other may call get().

CONCLAB_SIM_TEST(LazyTest, TwoFirstGetsNeverRunTheInitialiserTwice) {
  conclab::sync::atomic<int> inits{0};
  lab::Lazy<int> lazy([&] {
    inits.fetch_add(1);
    return 42;
  });
  {
    // Neither caller reads the value: this test counts builds (the next one checks what callers see).
    conclab::sync::jthread a([&] { (void)lazy.get(); });
    conclab::sync::jthread b([&] { (void)lazy.get(); });
  }  // both joined
  const int ran = inits.load();
  EXPECT_GE(ran, 1) << "two threads called get() and the initialiser never ran, yet get() returned: the value must "
                    << "be built by this Lazy's initialiser, on its first get(). (A function-local static in get() is "
                    << "shared by every Lazy<T> and outlives this one: an earlier Lazy built it.) Read " << kLesson
                    << '.';
  EXPECT_LE(ran, 1)
      << "two threads called get() once each and the initialiser ran " << ran << " times; it must run exactly "
      << "once. In the schedule below, both callers decided \"not built yet\" before either had built it: "
      << "check-then-act. A check in one critical section and the build in another, or a first check that is "
      << "not repeated under the lock, leaves that gap. Hold one lock from the check (or the re-check) to the "
      << "end of the build. Read " << kLesson << '.';
}

CONCLAB_SIM_TEST(LazyTest, GetNeverReturnsBeforeTheValueIsBuilt) {
  conclab::sync::atomic<bool> built{false};  // the initialiser's last act before it returns
  lab::Lazy<int> lazy([&] {
    built.store(true);
    return 42;
  });
  auto caller = [&] {
    const int& value = lazy.get();
    ASSERT_TRUE(built.load())
        << "get() returned while the initialiser had not finished yet (it sets `built` just before it returns): "
        << "this caller was handed a value that does not exist yet. In the schedule below it saw a flag that "
        << "was set *before* the value was built (\"someone is building it\" is not \"it is built\"). Set "
        << "the flag only after the value is stored, and make a caller that finds it unset wait for the builder "
        << "(a mutex), not return. Read " << kLesson << '.';
    EXPECT_EQ(value, 42) << "the initialiser returned 42, but get() returned " << value;
  };
  {
    conclab::sync::jthread a(caller);
    conclab::sync::jthread b(caller);
  }
}

// Two callers read the value, and the initialiser does nothing but build it: the only thing that can order
// the builder's writes before the other caller's read is the Lazy itself (its mutex, or a flag stored with
// release after the build and loaded with acquire). A plain bool flag, or an atomic one loaded relaxed on
// the fast path, orders nothing: the explorer reports the read of the value as a data race with the write.
CONCLAB_SIM_TEST(LazyTest, EveryCallerReadsTheBuiltValueInOrder) {
  lab::Lazy<int> lazy([] { return 42; });
  int seen[2] = {0, 0};
  {
    conclab::sync::jthread a([&] { seen[0] = lazy.get(); });
    conclab::sync::jthread b([&] { seen[1] = lazy.get(); });
  }
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(seen[i], 42)
        << "caller " << i << " read " << seen[i] << " from get(), but the initialiser returns 42: it read the "
        << "value before the build was visible to it. A caller that skips the lock because a \"built\" flag is "
        << "set must load that flag with memory_order_acquire (pairing with a release store made after the "
        << "build), and the flag must be a sync::atomic, not a plain bool. Read " << kLesson << '.';
  }
}

CONCLAB_SIM_TEST(LazyTest, AThrowingInitialiserLeavesNothingBuiltAndIsRetried) {
  conclab::sim::explain(std::string(kLockLeftHeld) + " Read \"Exceptions during initialisation\" in " + kLesson + '.');
  struct State {
    conclab::sync::atomic<int> attempts{0};
    conclab::sync::atomic<bool> built{false};  // set when an attempt succeeds, just before it returns
    lab::Lazy<int> lazy{[this]() -> int {
      if (attempts.fetch_add(1) == 0) throw std::runtime_error("the configuration server is down");
      built.store(true);
      return 42;
    }};
    bool threw[2] = {false, false};
  };
  auto st = std::make_shared<State>();
  watched([st] {
    // Each caller calls get(); if that threw, it calls get() once more (only the first attempt throws).
    auto caller = [&](int i) {
      const int* value = nullptr;
      try {
        value = &st->lazy.get();
      } catch (const std::runtime_error&) {
        st->threw[i] = true;  // nothing else in here: the retry comes after the handler
      }
      if (value == nullptr) value = &st->lazy.get();
      ASSERT_TRUE(st->built.load())
          << "get() returned, but no run of the initialiser has succeeded: the first one threw, so nothing was "
          << "built, and this get() handed out a value anyway instead of running the initialiser again. The "
          << "Lazy kept a \"started\" or \"done\" mark from the attempt that threw. Mark it built only after "
          << "the initialiser returned and the value is stored. Read \"Exceptions during initialisation\" in "
          << kLesson << '.';
      EXPECT_EQ(*value, 42) << "the initialiser's second attempt returned 42, but get() returned " << *value;
    };
    conclab::sync::jthread a(caller, 0);
    conclab::sync::jthread b(caller, 1);
  }, kLockLeftHeld);
  if (::testing::Test::HasFailure()) return;
  const int threw = int{st->threw[0]} + int{st->threw[1]};
  EXPECT_EQ(threw, 1)
      << "the initialiser threw once (its first attempt), so exactly one get() must have let that exception "
      << "out, and every other get() must have run the initialiser again; " << threw << " calls threw";
}

}  // namespace
