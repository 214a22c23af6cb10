// Graded tests for lab 02.05, double-checked locking. Lesson: modules/02-memory-model/05-safe-publication.md
//
// Three kinds of test:
//   - plain tests on one thread: the table is built on the first get() only, a builder that throws
//     publishes nothing and is retried, the table is destroyed with its LazyTable (the test's table type
//     counts its live instances), and each LazyTable has its own table;
//   - one test on two real threads, AReaderThatFindsThePointerSetIsOrderedAfterTheBuild, made for
//     ThreadSanitizer: a reader is told "the table is built" through a relaxed atomic (which orders
//     nothing), so the only thing that can order its reads after the builder's writes is the LazyTable's
//     own fast path. A plain pointer, a relaxed load or a relaxed store there leaves the reads unordered,
//     and ThreadSanitizer reports the data race in every run (the graded run builds the tests with it);
//   - sim tests (CONCLAB_SIM_TEST): in the sim build the explorer runs two callers on every schedule with up
//     to two preemptions, follows the C++ memory model rather than x86's (a load that is not ordered after a
//     store may read an older value), and checks every plain read and write by happens-before. It finds a
//     second build, a reader whose read of the pointer or of a field races with the builder, a field read
//     stale through a pointer that was already set, and a half-built table published by a builder that
//     threw. A failure prints the schedule step by step. In the other builds a sim test runs 20 times on
//     real threads, where x86 hides nearly all of it.
#include <lazy_table.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"

namespace {

constexpr const char* kLesson = "modules/02-memory-model/05-safe-publication.md";


std::string read(const char* section) {
  return std::string(" Read \"") + section + "\" in " + kLesson + '.';
}

// A table with plain fields, as real tables have: the explorer checks each read of them against the builder's
// writes, by happens-before.
struct Prices {
  int apples = 0;
  int pears = 0;
};

// The same table with its fields made sync::atomics, written and read relaxed. Nobody would write a read-only
// table like this; it is here so that the explorer can show WHICH value a reader gets: a relaxed load that is
// not ordered after the builder's store may return the field's older value (0, from the constructor), and the
// assertion prints it. With plain fields the same bug is reported as a data race instead.
struct Stock {
  conclab::sync::atomic<int> apples{0};
  conclab::sync::atomic<int> pears{0};
};

// A table that counts how many of its kind are alive, for the one-thread tests of leaks and ownership.
struct Ledger {
  inline static int live = 0;  // only ever touched by one thread
  Ledger() { ++live; }
  ~Ledger() { --live; }
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;
  int apples = 0;
  int pears = 0;
};

// ---- One thread ----

TEST(DclTest, DoesNotBuildBeforeTheFirstGet) {
  int builds = 0;
  lab::LazyTable<Prices> table([&](Prices& p) {
    ++builds;
    p.apples = 3;
  });
  EXPECT_EQ(builds, 0) << "constructing a LazyTable ran the builder: it must run on the first get() only, which "
                          "may never come (that is the point of building lazily).";
}

TEST(DclTest, BuildsOnceAndEveryGetReturnsTheSameTable) {
  int builds = 0;
  lab::LazyTable<Prices> table([&](Prices& p) {
    ++builds;
    p.apples = 3;
    p.pears = 5;
  });
  const Prices& first = table.get();
  const Prices& second = table.get();
  EXPECT_EQ(builds, 1) << "two get() calls on one thread ran the builder " << builds
                       << " times: the first get() builds the table, every later one returns it.";
  EXPECT_EQ(&first, &second) << "two get() calls returned references to two different tables: there is one "
                                "table, built once and kept by the LazyTable.";
  EXPECT_TRUE(first.apples == 3 && first.pears == 5)
      << "get() returned a table with apples = " << first.apples << ", pears = " << first.pears
      << ", but the builder set 3 and 5: get() must return the table the builder filled in.";
}

TEST(DclTest, ABuilderThatThrowsPublishesNothingAndTheNextGetBuildsAgain) {
  Ledger::live = 0;
  int attempts = 0;
  bool threw = false;
  std::string what;
  {
    lab::LazyTable<Ledger> table([&](Ledger& t) {
      t.apples = 3;  // half filled in...
      if (++attempts == 1) throw std::runtime_error("the price server is down");
      t.pears = 5;  // ...and the rest, on the attempt that succeeds
    });
    try {
      (void)table.get();
    } catch (const std::runtime_error& e) {
      threw = true;
      what = e.what();
    }
    ASSERT_TRUE(threw) << "the builder threw std::runtime_error on the first get(), and get() did not let it out: "
                          "the exception belongs to the caller whose build failed (std::call_once does the same)."
                       << read("Exceptions: publish only a finished table");
    EXPECT_EQ(what, "the price server is down") << "get() must let the builder's own exception out, unchanged";
    const Ledger& built = table.get();
    EXPECT_EQ(attempts, 2)
        << "the builder threw on the first get(), so nothing was built; the second get() must run it again, but "
        << "the builder ran " << attempts << " time(s) in all. If the second get() returned without building, it "
        << "found the half-filled table of the attempt that threw: the pointer was published before the builder "
        << "had returned. Publish only a finished table." << read("Exceptions: publish only a finished table");
    EXPECT_TRUE(built.apples == 3 && built.pears == 5)
        << "the second get() returned a table with apples = " << built.apples << ", pears = " << built.pears
        << "; the successful build set 3 and 5. A table with pears = 0 is the half-filled one from the attempt "
        << "that threw: it was published before its builder returned."
        << read("Exceptions: publish only a finished table");
    EXPECT_EQ(Ledger::live, 1)
        << "after one build that threw and one that succeeded, " << Ledger::live << " tables are alive; there must "
        << "be exactly one, the finished table. "
        << (Ledger::live > 1 ? "The half-filled table of the attempt that threw was neither published nor "
                               "destroyed: it leaked. Hold the new table in a std::unique_ptr while the builder "
                               "fills it: if the builder throws, the unique_ptr deletes it on the way out."
                             : "")
        << read("Exceptions: publish only a finished table");
  }
  EXPECT_EQ(Ledger::live, 0) << "the LazyTable was destroyed and " << Ledger::live << " table(s) are still alive: "
                             << "its destructor must delete the table it built (and the table must be its own: a "
                             << "function-local static lives until the program exits).";
  Ledger::live = 0;
}

TEST(DclTest, DestroyingTheLazyTableDestroysItsTable) {
  Ledger::live = 0;
  {
    lab::LazyTable<Ledger> never_used([](Ledger& t) { t.apples = 1; });
  }
  EXPECT_EQ(Ledger::live, 0) << "a LazyTable whose get() was never called built a table anyway: build on the "
                                "first get() only.";
  {
    lab::LazyTable<Ledger> table([](Ledger& t) { t.apples = 1; });
    (void)table.get();
    ASSERT_EQ(Ledger::live, 1) << "after one get(), exactly one table must exist; " << Ledger::live << " do."
                               << (Ledger::live == 0 ? " get() returned a table that existed before this LazyTable "
                                                       "did: a function-local static, shared by every LazyTable?"
                                                     : "");
  }
  EXPECT_EQ(Ledger::live, 0)
      << "the LazyTable was destroyed but its table is still alive: a leak. The LazyTable owns the table it "
      << "built: its destructor must delete it (`delete table_.load(...)`, or keep a std::unique_ptr owner). No "
      << "get() can run during the destructor, so the destructor's load needs no ordering of its own. Check "
      << "for leaks with AddressSanitizer: the lesson says how." << read("Exceptions: publish only a finished table");
  Ledger::live = 0;
}

TEST(DclTest, EachLazyTableHasItsOwnTable) {
  lab::LazyTable<Ledger> north([](Ledger& t) { t.apples = 1; });
  lab::LazyTable<Ledger> south([](Ledger& t) { t.apples = 2; });
  const Ledger& n = north.get();
  const Ledger& s = south.get();
  EXPECT_NE(&n, &s) << "two LazyTables returned the same table: each LazyTable must own its own. A "
                       "function-local static in get() is one variable for every LazyTable<T> in the program "
                       "(a magic static suits one global, not a member)."
                    << read("Magic statics and std::call_once");
  EXPECT_EQ(n.apples, 1) << "the first LazyTable's builder set apples = 1, but its table now says " << n.apples
                         << ": building the second LazyTable changed the first one's table, which must never "
                            "change once built (are they the same object?).";
  EXPECT_EQ(s.apples, 2) << "the second LazyTable's builder set apples = 2, but its table says " << s.apples
                         << ": its builder never filled the table it returned.";
}

// ---- Two real threads, for ThreadSanitizer ----

// The builder thread calls get() (it builds), then says "built" through a RELAXED atomic, which orders nothing:
// ThreadSanitizer (like the C++ memory model) does not count a relaxed store and load as synchronisation. The
// reader waits for that, then calls get(), which finds the table built and takes the fast path. Only the fast
// path's own load can order the reader's reads of the pointer and the fields after the builder's writes: an
// acquire load of an atomic pointer that reads the builder's release store does; a plain pointer, a relaxed
// load or a relaxed store does not, and ThreadSanitizer reports the data race in every run. (On x86 the reader
// always sees the right values; the report is the point.)
TEST(DclTest, AReaderThatFindsThePointerSetIsOrderedAfterTheBuild) {
  lab::LazyTable<Prices> table([](Prices& p) {
    p.apples = 3;
    p.pears = 5;
  });
  std::atomic<bool> told{false};
  Prices seen;
  std::thread builder([&] {
    (void)table.get();
    told.store(true, std::memory_order_relaxed);  // relaxed on purpose: this tells, it does not order
  });
  std::thread reader([&] {
    while (!told.load(std::memory_order_relaxed)) std::this_thread::yield();
    const Prices& p = table.get();  // the fast path: the pointer is set
    seen.apples = p.apples;
    seen.pears = p.pears;
  });
  builder.join();
  reader.join();
  EXPECT_TRUE(seen.apples == 3 && seen.pears == 5)
      << "a reader that found the table built read apples = " << seen.apples << ", pears = " << seen.pears
      << " (the builder set 3 and 5): it was not ordered after the builder's writes."
      << read("Which order each operation needs");
}

// ---- Sim tests: every schedule of two callers (the sim build), or 20 runs on real threads (the others) ----

CONCLAB_SIM_TEST(DclTest, TwoFirstCallersBuildOnce) {
  conclab::sim::explain("two get()s can only block forever if one waits for a mutex nobody unlocks");
  conclab::sync::atomic<int> builds{0};
  lab::LazyTable<Prices> table([&](Prices& p) {
    builds.fetch_add(1);  // a sync operation: the explorer may switch threads here, in the middle of a build
    p.apples = 3;
  });
  {
    conclab::sync::jthread a([&] { (void)table.get(); });
    conclab::sync::jthread b([&] { (void)table.get(); });
  }  // both joined
  const int ran = builds.load();
  EXPECT_EQ(ran, 1)
      << "two threads called get() once each and the builder ran " << ran << " times; it must run exactly once. "
      << (ran > 1 ? "In the schedule below both callers found no table on the fast path, and the second one, once "
                    "it had the lock, built again: check the pointer a second time UNDER the lock (the first caller "
                    "may have built the table while this one waited for it)."
                  : "Every get() must return the table, so the first one has to build it.")
      << read("Why the classic double-checked locking is broken");
}

// Plain fields, read by two callers: the explorer checks each read against the builder's writes. The builder's
// writes happen-before a reader's reads only if the reader took the mutex, or loaded the pointer with acquire and
// read the value that the builder stored with release, AFTER it had filled the table in.
CONCLAB_SIM_TEST(DclTest, EveryCallerSeesTheFieldsTheBuilderWrote) {
  lab::LazyTable<Prices> table([](Prices& p) {
    p.apples = 3;
    p.pears = 5;
  });
  Prices seen[2];
  auto caller = [&](int i) {
    const Prices& p = table.get();
    seen[i].apples = p.apples;
    seen[i].pears = p.pears;
  };
  {
    conclab::sync::jthread a(caller, 0);
    conclab::sync::jthread b(caller, 1);
  }
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(seen[i].apples == 3 && seen[i].pears == 5)
        << "caller " << i << " read apples = " << seen[i].apples << ", pears = " << seen[i].pears
        << " from the table get() returned, but the builder sets 3 and 5: it was handed the table before the "
        << "builder had filled it in. Publish the pointer (a release store) only after the builder returns."
        << read("Which order each operation needs");
  }
}

// The same with atomic fields written relaxed, so that a reader not ordered after the builder may read a field's
// OLDER value and the explorer prints it: the fresh pointer, the stale field.
CONCLAB_SIM_TEST(DclTest, NoStaleFieldThroughAFreshPointer) {
  lab::LazyTable<Stock> table([](Stock& s) {
    s.apples.store(3, std::memory_order_relaxed);  // stands for a plain write: ordered by the publication only
    s.pears.store(5, std::memory_order_relaxed);
  });
  int apples[2] = {-1, -1};
  int pears[2] = {-1, -1};
  auto caller = [&](int i) {
    const Stock& s = table.get();
    apples[i] = s.apples.load(std::memory_order_relaxed);  // ordered after the build by get() only
    pears[i] = s.pears.load(std::memory_order_relaxed);
  };
  {
    conclab::sync::jthread a(caller, 0);
    conclab::sync::jthread b(caller, 1);
  }
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(apples[i] == 3 && pears[i] == 5)
        << "caller " << i << " got a table from get() and read apples = " << apples[i] << ", pears = " << pears[i]
        << ", but the builder set 3 and 5: the pointer was fresh and the fields stale (0 is what the table's "
        << "constructor wrote). Seeing the pointer says nothing about the fields unless the load that read it was "
        << "an ACQUIRE load reading a RELEASE store made after the builder returned: a relaxed load acquires "
        << "nothing, a relaxed store releases nothing, and a store made before the fields are filled releases "
        << "nothing about them. The schedule below shows which store each load read."
        << read("Which order each operation needs");
  }
}

CONCLAB_SIM_TEST(DclTest, AThrowingBuilderPublishesNothingAndIsRetried) {
  conclab::sim::explain(
      "a builder threw, and a get() waits for a mutex nobody will unlock: the exception left get() with the "
      "mutex still locked (lock() and unlock() by hand, the unlock skipped). Use a sync::lock_guard." +
      read("Exceptions: publish only a finished table"));
  conclab::sync::atomic<int> attempts{0};
  lab::LazyTable<Prices> table([&](Prices& p) {
    p.apples = 3;
    if (attempts.fetch_add(1) == 0) throw std::runtime_error("the price server is down");
    p.pears = 5;
  });
  bool threw[2] = {false, false};
  int pears[2] = {-1, -1};
  auto caller = [&](int i) {
    const Prices* p = nullptr;
    try {
      p = &table.get();
    } catch (const std::runtime_error&) {
      threw[i] = true;
    }
    if (p == nullptr) p = &table.get();  // only the first attempt throws: this one must succeed
    pears[i] = p->pears;
  };
  {
    conclab::sync::jthread a(caller, 0);
    conclab::sync::jthread b(caller, 1);
  }
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(pears[i], 5)
        << "caller " << i << " got a table with pears = " << pears[i] << "; only a finished build sets 5. The "
        << "first build threw halfway (apples set, pears not), and its half-filled table was handed out: the "
        << "pointer was published before the builder returned, or not withdrawn when it threw. Fill the table "
        << "while only this thread can see it, and publish it once the builder has returned."
        << read("Exceptions: publish only a finished table");
  }
  EXPECT_EQ(int{threw[0]} + int{threw[1]}, 1)
      << "the builder threw exactly once (its first attempt), so exactly one get() must have let that exception "
         "out, and the next get() must have built the table again."
      << read("Exceptions: publish only a finished table");
}

}  // namespace
