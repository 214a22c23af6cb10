// The explorer's plain-memory checker (src/sim/plain.cpp): this file is compiled as the sim tree compiles a lab,
// with ThreadSanitizer's instrumentation answered by the explorer, so its ordinary variables are checked.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "conclab/sim/sim.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"

namespace {

namespace sim = conclab::sim;
namespace sync = conclab::sync;

sim::Result explore(const std::function<void()>& body) {
  sim::Options o;
  o.preemptions = 2;
  return sim::explore(body, o);
}

bool mentions(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

constexpr int kLineOfA = __LINE__ + 4;
constexpr int kLineOfB = __LINE__ + 4;
void unsynchronised_increments() {
  std::int64_t count = 0;
  sync::thread a([&] { ++count; });
  sync::thread b([&] { ++count; });
  a.join();
  b.join();
}

TEST(SimPlain, AnUnsynchronisedIncrementIsARaceOnTheFirstSchedule) {
  const sim::Result r = explore(unsynchronised_increments);
  ASSERT_EQ(r.outcome, sim::Outcome::kFailed) << r.report();
  EXPECT_EQ(r.schedules, 1u) << "found without trying interleavings: neither increment happens before the other";
  EXPECT_TRUE(mentions(r.message, "data race on plain memory")) << r.message;
  const std::string a = "sim_plain_test.cpp:" + std::to_string(kLineOfA) + " (sync::thread a([&] { ++count; });)";
  const std::string b = "sim_plain_test.cpp:" + std::to_string(kLineOfB) + " (sync::thread b([&] { ++count; });)";
  EXPECT_TRUE(mentions(r.message, a) && mentions(r.message, b)) << "both places, each with its line:\n" << r.message;
  EXPECT_EQ(explore(unsynchronised_increments).message, r.message) << "the same report every run";
}

// A struct too big for a few loads: the compiler copies it with a call to memcpy, which ThreadSanitizer's
// instrumentation does not report itself (its runtime intercepts memcpy; the sim build's programs get plain.cpp's).
struct Quote {
  std::int64_t bid = 0, ask = 0, bid_size = 0, ask_size = 0, time = 0;
};

TEST(SimPlain, AStructCopiedWhileAnotherThreadWritesItIsARace) {
  const sim::Result r = explore([] {
    Quote shared;
    Quote copy;
    sync::thread writer([&] { shared = Quote{1, 2, 3, 4, 5}; });
    sync::thread reader([&] { copy = shared; });
    writer.join();
    reader.join();
  });
  ASSERT_EQ(r.outcome, sim::Outcome::kFailed) << r.report();
  EXPECT_TRUE(mentions(r.message, "data race on plain memory")) << r.message;
}

TEST(SimPlain, AStructCopiedUnderTheWritersLockIsNoRace) {
  const sim::Result r = explore([] {
    sync::mutex mu;
    Quote shared;
    Quote copy;
    sync::thread writer([&] {
      sync::lock_guard lock(mu);
      shared = Quote{1, 2, 3, 4, 5};
    });
    sync::thread reader([&] {
      sync::lock_guard lock(mu);
      copy = shared;
    });
    writer.join();
    reader.join();
    std::vector<Quote> many(8, copy);  // copies after the joins: ordered, no race
    std::vector<Quote> more = many;
    EXPECT_EQ(more.size(), 8u);
  });
  EXPECT_TRUE(r.passed()) << r.report();
}

// Copies the C++ runtime makes in its own library are not the program's: two threads each throwing and catching
// their own exception (libstdc++ copies each message into memory it allocated) are no race.
TEST(SimPlain, TheRuntimesOwnCopiesAreNotChecked) {
  const sim::Result r = explore([] {
    auto throw_and_read = [] {
      try {
        throw std::runtime_error("backing store is down");
      } catch (const std::exception& e) {
        const std::string what = e.what();
        EXPECT_EQ(what, "backing store is down");
      }
    };
    sync::thread a(throw_and_read);
    sync::thread b(throw_and_read);
    a.join();
    b.join();
  });
  EXPECT_TRUE(r.passed()) << r.report();
}

TEST(SimPlain, AMutexAroundEveryAccessIsNoRace) {
  const sim::Result r = explore([] {
    sync::mutex mu;
    std::int64_t count = 0;
    auto add = [&] {
      sync::lock_guard lock(mu);
      ++count;
    };
    sync::thread a(add);
    sync::thread b(add);
    a.join();
    b.join();
    if (count != 2) sim::report_failure("lost an increment");
  });
  EXPECT_TRUE(r.passed()) << r.report();
}

TEST(SimPlain, StartAndJoinOrderTheThreadsAccesses) {
  const sim::Result r = explore([] {
    std::vector<int> data{1, 2, 3};  // written before the thread starts
    int sum = 0;
    sync::thread t([&] {
      for (int v : data) sum += v;
      data.push_back(4);
    });
    t.join();
    sum += static_cast<int>(data.size());  // read after the join
  });
  EXPECT_TRUE(r.passed()) << r.report();
}

TEST(SimPlain, ReleaseAndAcquireOrderPlainDataAndRelaxedDoesNot) {
  auto publish = [](std::memory_order s, std::memory_order l) {
    return explore([=] {
      std::string message;
      sync::atomic<bool> ready{false};
      sync::thread producer([&] {
        message = "hello";
        ready.store(true, s);
      });
      while (!ready.load(l)) sync::this_thread::yield();
      if (message != "hello") sim::report_failure("read the message before it was written");
      producer.join();
    });
  };
  EXPECT_TRUE(publish(std::memory_order_release, std::memory_order_acquire).passed());
  const sim::Result relaxed = publish(std::memory_order_relaxed, std::memory_order_relaxed);
  ASSERT_EQ(relaxed.outcome, sim::Outcome::kFailed) << relaxed.report();
  EXPECT_TRUE(mentions(relaxed.message, "data race on plain memory")) << relaxed.message;
}

// Every atomic operation with an order other than seq_cst passes through a function-local static of the explorer
// (its trace names); the static's guard is an atomic the instrumentation reports, and it once made each such
// operation a false acquire-release edge between threads, hiding this race.
TEST(SimPlain, TheExplorersOwnBookkeepingOrdersNothing) {
  const sim::Result r = explore([] {
    int message = 0;
    int seen = 0;
    sync::atomic<bool> ready{false};
    sync::thread producer([&] {
      message = 42;
      ready.store(true, std::memory_order_release);
    });
    sync::thread consumer([&] {
      if (ready.load(std::memory_order_relaxed)) seen = message;  // relaxed: no acquire, no edge
    });
    producer.join();
    consumer.join();
  });
  ASSERT_EQ(r.outcome, sim::Outcome::kFailed) << r.report();
  EXPECT_TRUE(mentions(r.message, "data race on plain memory")) << r.message;
}

// A promise destroyed unfulfilled hands its waiter broken_promise: that is the explorer's write, ordered before
// the waiter's get(), not a race of the program's.
// A test's own log, kept by a helper that says CONCLAB_TEST_BOOKKEEPING(): its accesses are not the program's.
struct CallbackLog {
  std::int64_t calls = 0;
  void note() {
    CONCLAB_TEST_BOOKKEEPING();
    ++calls;  // unordered between the two threads: a race if it were the program's
  }
  void note_unmarked() { ++calls; }
};

TEST(SimPlain, ATestsBookkeepingIsNotCheckedButTheProgramAfterItIs) {
  const sim::Result marked = explore([] {
    CallbackLog log;
    sync::thread a([&] { log.note(); });
    sync::thread b([&] { log.note(); });
    a.join();
    b.join();
  });
  EXPECT_EQ(marked.outcome, sim::Outcome::kPassed) << marked.report();
  const sim::Result unmarked = explore([] {
    CallbackLog log;
    sync::thread a([&] { log.note_unmarked(); });
    sync::thread b([&] { log.note_unmarked(); });
    a.join();
    b.join();
  });
  EXPECT_EQ(unmarked.outcome, sim::Outcome::kFailed) << "the same increments, unmarked, are the race they are";
  const sim::Result after = explore([] {
    CallbackLog log;
    std::int64_t count = 0;
    sync::thread a([&] { log.note(); ++count; });
    sync::thread b([&] { log.note(); ++count; });
    a.join();
    b.join();
  });
  EXPECT_EQ(after.outcome, sim::Outcome::kFailed) << "unchecked only until the helper returns: the caller's ++count is still checked";
}

// The interview's first answer to "print in order": spin on a plain flag with an empty loop. Plain reads are not
// switch points, so before the spin rule the spinner ran forever and the setter never got a step (the sim test
// hung until the lab's timeout, with no words); now the spin is a switch point and the race is named.
TEST(SimPlain, AnEmptySpinOnAPlainFlagLetsTheSetterRunAndIsARace) {
  const sim::Result r = explore([] {
    bool ready = false;
    sync::thread waiter([&] {
      while (!ready) {
      }
    });
    sync::thread setter([&] { ready = true; });
    waiter.join();
    setter.join();
  });
  ASSERT_EQ(r.outcome, sim::Outcome::kFailed) << r.report();
  EXPECT_TRUE(mentions(r.message, "data race on plain memory")) << r.message;
  EXPECT_EQ(r.schedules, 1u) << "found on the first schedule: the spin lets the setter run, whose write races the read";
  EXPECT_TRUE(mentions(r.report(), "spins on plain memory")) << "the trace shows the spin:\n" << r.report();
}

// A loop that reads one variable many times with other work between is not a spin, and stays unswitched.
TEST(SimPlain, ALoopThatReadsOneVariableAmongOthersIsNotASpin) {
  const sim::Result r = explore([] {
    std::vector<std::int64_t> values(500, 1);
    std::int64_t sum = 0;
    sync::thread reader([&] {
      for (std::size_t i = 0; i < values.size(); ++i) sum += values[i];
    });
    reader.join();
    EXPECT_EQ(sum, 500);
  });
  EXPECT_EQ(r.outcome, sim::Outcome::kPassed) << r.report();
  EXPECT_FALSE(mentions(r.report(), "spins on plain memory")) << r.report();
}

TEST(SimPlain, ABrokenPromiseReachesItsWaiterWithoutARace) {
  const sim::Result r = explore([] {
    auto promise = std::make_unique<sync::promise<int>>();
    sync::shared_future<int> result = promise->get_future().share();
    bool broken = false;
    sync::thread waiter([&] {
      try {
        (void)result.get();
      } catch (const std::future_error& e) {
        broken = e.code() == std::future_errc::broken_promise;
      }
    });
    promise.reset();  // never fulfilled
    waiter.join();
    if (!broken) sim::report_failure("the waiter did not get broken_promise");
  });
  EXPECT_TRUE(r.passed()) << r.report();
}

struct TwoFlags {
  bool a = false;  // two variables in one 8-byte word: each thread writes its own
  bool b = false;
};

TEST(SimPlain, NeighbouringBytesAreDifferentVariables) {
  const sim::Result r = explore([] {
    TwoFlags flags;
    sync::thread a([&] { flags.a = true; });
    sync::thread b([&] { flags.b = true; });
    a.join();
    b.join();
  });
  EXPECT_TRUE(r.passed()) << r.report();
}

TEST(SimPlain, MemoryFreedAndReusedByAnotherThreadStartsClean) {
  const sim::Result r = explore([] {
    auto churn = [] {
      for (int i = 0; i < 3; ++i) {
        // One OS thread, one allocator cache: the block one fiber frees is the next one's (a size the explorer's
        // own bookkeeping does not take in between).
        auto p = std::make_unique<std::array<std::int64_t, 30>>();
        (*p)[0] += i;
      }
    };
    sync::thread a(churn);
    sync::thread b(churn);
    a.join();
    b.join();
  });
  EXPECT_TRUE(r.passed()) << r.report();
}

TEST(SimPlain, ASharedPtrsCountOrdersTheLastOwnersDestruction) {
  const sim::Result r = explore([] {
    auto text = std::make_shared<std::string>("a string too long for the small-string buffer");
    sync::thread a([copy = text] { (void)copy->size(); });
    sync::thread b([copy = text] { (void)copy->size(); });
    text.reset();
    a.join();
    b.join();
  });
  EXPECT_TRUE(r.passed()) << r.report();
}

}  // namespace
