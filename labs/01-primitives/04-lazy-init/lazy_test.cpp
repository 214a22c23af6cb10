// Graded tests for lab 01.04, lazy init. Lesson: modules/01-primitives/05-call-once-and-static-init.md
//
// The classic bug (two threads both find "not built yet" and both build) needs one thread to be
// paused between its check and its build while another gets through. Instead of hoping for that, the
// tests pause it on purpose: Lazy calls its interleave hook once per get(), holding no lock, and
// HoldTheFirstCaller (below) keeps the first thread that reaches the hook there until every other
// caller's get() has returned. A Lazy that checks and builds as one step (a mutex, call_once) calls the
// hook before that step: the other callers build the value, and the paused one then finds it built. A
// Lazy that checks, then builds, builds twice, every run, in every build.
//
// If a test here hangs (verdict: deadlock or hang), the hook is probably called while a lock is held,
// or from inside std::call_once's function: the paused thread then holds what the other callers wait
// for, and it waits for them.
#include <lazy.hpp>

#include <conclab/sanitizers.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "conclab/run_threads.hpp"

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
  std::atomic<bool> opened_{false};
  std::atomic<int> returned_{0};
};

std::string init_count_message(int threads, int inits) {
  std::ostringstream out;
  out << threads << " threads called get() at the same time and the initialiser ran " << inits
      << " times; it must run exactly once. ";
  if (inits > 1) {
    out << "One caller was paused between finding the value missing and building it, and another caller "
           "built it in that gap: check-then-act. Make the check and the build one step: hold a mutex "
           "across both (and call the hook before you lock), or use std::call_once.";
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
  constexpr int kThreads = 2;
  std::atomic<int> inits{0};
  HoldTheFirstCaller hold(kThreads - 1);
  lab::Lazy<std::string> lazy(
      [&] {
        inits.fetch_add(1);
        return std::string("expensive");
      },
      hold.hook());
  std::vector<std::string> seen(kThreads);
  conclab::run_threads(kThreads, [&](int i) {
    seen[static_cast<std::size_t>(i)] = lazy.get();  // a copy: a second build would destroy the first object
    hold.returned();
  });
  EXPECT_EQ(inits.load(), 1) << init_count_message(kThreads, inits.load());
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(seen[static_cast<std::size_t>(i)], "expensive")
        << "thread " << i << "'s get() returned \"" << seen[static_cast<std::size_t>(i)]
        << "\": every caller must see the fully built value";
  }
}

TEST(LazyTest, ManyCallersRacingForTheFirstGetInitOnceAndShareOneObject) {
  // Eight threads call get() together; the first to reach the hook waits there until the seven others
  // have returned. Besides the count, every caller must get the same object, fully built. Without
  // synchronisation, the callers that are not paused also race with each other on value_, which
  // ThreadSanitizer reports even when the count happens to come out right.
  constexpr int kThreads = 8;
  std::atomic<int> inits{0};
  HoldTheFirstCaller hold(kThreads - 1);
  lab::Lazy<int> lazy(
      [&] {
        inits.fetch_add(1);
        return 42;
      },
      hold.hook());
  std::vector<const int*> addresses(kThreads);
  std::vector<int> values(kThreads);
  conclab::run_threads(kThreads, [&](int i) {
    const int& value = lazy.get();
    addresses[static_cast<std::size_t>(i)] = &value;
    values[static_cast<std::size_t>(i)] = value;
    hold.returned();
  });
  EXPECT_EQ(inits.load(), 1) << init_count_message(kThreads, inits.load());
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(values[static_cast<std::size_t>(i)], 42)
        << "thread " << i << " got " << values[static_cast<std::size_t>(i)]
        << " from get(); the initialiser returns 42. A caller must never see the value half built.";
    EXPECT_EQ(addresses[static_cast<std::size_t>(i)], addresses[0])
        << "threads 0 and " << i << " got references to different objects: there must be one value, "
        << "built once, that every caller shares.";
  }
}

TEST(LazyTest, InitThatThrowsIsRunAgainByTheNextGet) {
#if CONCLAB_TSAN
  // Disabled under ThreadSanitizer: TSan replaces pthread_once, which libstdc++'s std::call_once is
  // built on, and its version never resets a once_flag whose function threw, so the retry below would
  // hang forever instead of running the initialiser again (the lesson shows it). A mutex-based Lazy
  // would pass here; a call_once-based one is correct but cannot be tested this way under TSan.
  GTEST_SKIP() << "std::call_once cannot retry after an exception under ThreadSanitizer; see " << kLesson;
#else
  int attempts = 0;
  lab::Lazy<std::string> lazy([&]() -> std::string {
    if (++attempts == 1) throw std::runtime_error("the configuration server is down");
    return "configuration loaded";
  });
  EXPECT_THROW(lazy.get(), std::runtime_error)
      << "when the initialiser throws, get() must let the exception out to its caller";
  std::string value;
  EXPECT_NO_THROW(value = lazy.get())
      << "the initialiser threw on the first get(), so nothing was built: the next get() must run it again "
      << "(it succeeds this time) instead of rethrowing, returning an empty value, or hanging. Read "
      << "\"Exceptions during initialisation\" in " << kLesson << '.';
  EXPECT_EQ(value, "configuration loaded") << "the second attempt built the value; get() must return it";
  EXPECT_EQ(attempts, 2) << "the initialiser must run once per get() until it succeeds, then never again";
  EXPECT_EQ(lazy.get(), "configuration loaded") << "a third get() must return the value the second one built";
  EXPECT_EQ(attempts, 2) << "after a successful initialisation the initialiser must not run again";
#endif
}

}  // namespace
