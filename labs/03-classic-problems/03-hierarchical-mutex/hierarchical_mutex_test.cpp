// Graded tests for lab 03.03, hierarchical mutex. Lesson: modules/03-classic-problems/03-lock-hierarchies.md.
//
// The rules tested (the starter's comment states them): a thread may lock a mutex only below every level it holds;
// lock() and try_lock() check before they could block and throw std::logic_error naming both levels, leaving
// nothing locked; equal levels are refused; a busy try_lock() returns false and changes nothing; unlock() may come
// in any order, and the limit is then the lowest level still held; the levels are per thread.
//
// The rule is per thread (thread_local state), so these tests use real threads, not the explorer: its simulated
// threads all run on one OS thread and would share one thread_local. Every scenario runs on a thread of its own,
// started for it, so a level one test leaves behind (a bug) cannot make the next test fail. Where two threads
// take part, latches order every step, so each run is the same run; ThreadSanitizer checks them too. The one
// test whose failure is a hang (AWrongOrderThrowsInsteadOfDeadlocking: the deadlock the hierarchy exists to
// prevent) runs under a watchdog and fails with words after a few seconds.
#include <hierarchical_mutex.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>

#include "conclab/sync.hpp"
#include "conclab/watchdog.hpp"

namespace {

namespace sync = conclab::sync;
using namespace std::chrono_literals;

constexpr const char* kLesson = "modules/03-classic-problems/03-lock-hierarchies.md";

// What one call of lock() or try_lock() did.
enum class Outcome { kLocked, kBusy, kRefused, kOtherError };

std::ostream& operator<<(std::ostream& out, Outcome o) {  // how GoogleTest prints an Outcome
  switch (o) {
    case Outcome::kLocked: return out << "locked";
    case Outcome::kBusy: return out << "busy (try_lock() returned false)";
    case Outcome::kRefused: return out << "refused (threw std::logic_error)";
    case Outcome::kOtherError: return out << "threw something other than std::logic_error";
  }
  return out;
}

struct Attempt {
  Outcome outcome = Outcome::kOtherError;
  std::string what;  // the exception's message, if it threw
};

Attempt attempt_lock(lab::HierarchicalMutex& m) {
  try {
    m.lock();
    return {Outcome::kLocked, {}};
  } catch (const std::logic_error& e) {
    return {Outcome::kRefused, e.what()};
  } catch (const std::exception& e) {
    return {Outcome::kOtherError, e.what()};
  }
}

Attempt attempt_try_lock(lab::HierarchicalMutex& m) {
  try {
    return {m.try_lock() ? Outcome::kLocked : Outcome::kBusy, {}};
  } catch (const std::logic_error& e) {
    return {Outcome::kRefused, e.what()};
  } catch (const std::exception& e) {
    return {Outcome::kOtherError, e.what()};
  }
}

std::string describe(const Attempt& a) {
  switch (a.outcome) {
    case Outcome::kLocked: return "it locked the mutex";
    case Outcome::kBusy: return "it returned false (\"busy\")";
    case Outcome::kRefused: return "it threw std::logic_error: \"" + a.what + "\"";
    case Outcome::kOtherError: return "it threw an exception that is not a std::logic_error: \"" + a.what + "\"";
  }
  return "?";
}

// Runs `body` on a new thread and joins it: the body starts with a thread that holds nothing.
template <class F>
void on_a_fresh_thread(F body) {
  sync::thread t([&] {
    try {
      body();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "an exception escaped the test's thread: " << e.what()
                    << ". lock() and try_lock() throw only on a wrong order (std::logic_error); lock_guard and "
                    << "unique_lock let it through. Read " << kLesson << '.';
    }
  });
  t.join();
}

// Locks m, which the rule allows: a failure says what the thread held, at the test's line.
bool lock_expecting_success_at(int line, lab::HierarchicalMutex& m, const std::string& held) {
  const Attempt a = attempt_lock(m);
  if (a.outcome == Outcome::kLocked) return true;
  ADD_FAILURE_AT(__FILE__, line) << "lock() of a level-" << m.level() << " mutex while this thread holds " << held
                << " must succeed, but " << describe(a)
                << ". A thread may lock any level below every level it holds, and after an unlock the levels "
                << "it still holds are all that count. Read " << kLesson << '.';
  return false;
}

// `a` asked for m, which the rule refuses; unlocks m again if a wrong version locked it.
void expect_refused_at(int line, const Attempt& a, lab::HierarchicalMutex& m, const std::string& call,
                       const std::string& held, const std::string& why) {
  if (a.outcome == Outcome::kLocked) m.unlock();
  if (a.outcome == Outcome::kRefused) return;
  ADD_FAILURE_AT(__FILE__, line)
      << call << " of a level-" << m.level() << " mutex while this thread holds " << held
      << " must throw std::logic_error, but " << describe(a) << ". " << why << " Read " << kLesson << '.';
}

// The two helpers above, reporting a failure at the line of the test that called them.
#define LOCK_EXPECTING_SUCCESS(...) lock_expecting_success_at(__LINE__, __VA_ARGS__)
#define EXPECT_REFUSED(...) expect_refused_at(__LINE__, __VA_ARGS__)

TEST(HierarchicalMutexTest, LocksDownTheHierarchy) {
  on_a_fresh_thread([] {
    lab::HierarchicalMutex high(300), mid(200), low(100);
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(high, "nothing"));
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(mid, "level 300"));
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(low, "levels 300 and 200"));
    low.unlock();
    mid.unlock();
    high.unlock();
  });
}

TEST(HierarchicalMutexTest, LockingAHigherLevelThrowsLogicErrorNamingBothLevels) {
  on_a_fresh_thread([] {
    lab::HierarchicalMutex low(100), high(300);
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(low, "nothing"));
    const Attempt a = attempt_lock(high);
    EXPECT_REFUSED(a, high, "lock()", "level 100",
                   "Locking up the hierarchy is the order that deadlocks against a thread that locks down it; "
                   "check before mu_.lock() and throw std::logic_error.");
    if (a.outcome == Outcome::kRefused) {
      EXPECT_TRUE(a.what.find("300") != std::string::npos && a.what.find("100") != std::string::npos)
          << "the exception's message is \"" << a.what << "\": it must name both levels, the one asked for "
          << "(300) and the lowest one held (100), so whoever reads it knows which two locks are out of order.";
    }
    low.unlock();
  });
}

// The lesson's layered program: an account (level 200) logs through a logger (level 100), so deposit() holds the
// account's lock and then the logger's. The logger's flush() calls a callback its owner registered, and that
// callback reads the account's balance: the logger's lock, then the account's. Two functions in two layers, neither
// sees both locks, and with a plain mutex the program deadlocks only when a deposit and a flush meet. With levels,
// flush() fails on its first run, on one thread, in any test that calls it.
struct Account {
  lab::HierarchicalMutex mu{200};
  int balance = 0;  // guarded by mu
};

struct Logger {
  lab::HierarchicalMutex mu{100};
  int lines = 0;                   // guarded by mu
  Account* summary_from = nullptr;  // flush() appends this account's balance: the callback into the upper layer

  void log() {
    sync::lock_guard lock(mu);
    ++lines;
  }
  int flush() {
    sync::lock_guard lock(mu);
    sync::lock_guard account_lock(summary_from->mu);  // the wrong order: 100 held, 200 asked for
    return summary_from->balance + lines;
  }
};

TEST(HierarchicalMutexTest, ACallbackIntoAHigherLayerIsRefusedOnItsFirstRun) {
  on_a_fresh_thread([] {
    Account account;
    Logger logger;
    logger.summary_from = &account;
    {  // the upper layer calls down: 200, then 100
      sync::lock_guard lock(account.mu);
      account.balance += 10;
      logger.log();
    }
    try {
      const int summary = logger.flush();  // the lower layer calls up: 100, then 200
      ADD_FAILURE() << "Logger::flush() holds the logger's lock (level 100) and then locks the account's (level 200), "
                    << "and it returned " << summary << " instead of throwing std::logic_error. On one thread "
                    << "nothing goes wrong yet; but deposit() locks 200 then 100, so a flush() and a deposit() on "
                    << "two threads can deadlock, some day, in production. The hierarchy's job is to refuse the "
                    << "wrong order on its first run, on one thread, in a test like this. Read " << kLesson
                    << " (\"Layers and callbacks\").";
    } catch (const std::logic_error&) {
      // Refused before blocking: the logger's lock_guard has released level 100 on the way out.
    }
    sync::lock_guard lock(account.mu);  // the thread holds nothing again
    EXPECT_EQ(account.balance, 10);
  });
}

TEST(HierarchicalMutexTest, AnEqualLevelIsRefused) {
  on_a_fresh_thread([] {
    lab::HierarchicalMutex first(200), second(200);
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(first, "nothing"));
    EXPECT_REFUSED(attempt_lock(second), second, "lock()", "another mutex of level 200",
                   "The new level must be strictly lower than every level held: two mutexes of one level have no "
                   "order between them, so two threads could take them in opposite orders and deadlock.");
    first.unlock();
  });
}

TEST(HierarchicalMutexTest, TryLockRefusesAHigherLevel) {
  on_a_fresh_thread([] {
    lab::HierarchicalMutex low(100), high(300);
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(low, "nothing"));
    EXPECT_REFUSED(attempt_try_lock(high), high, "try_lock()", "level 100",
                   "try_lock() follows the same rule as lock(): the order is wrong whether or not the mutex "
                   "happens to be free this time (returning true hides the bug; false says \"busy\", which it "
                   "is not).");
    low.unlock();
  });
}

TEST(HierarchicalMutexTest, TryLockOfAMutexYouAlreadyHoldIsRefused) {
  on_a_fresh_thread([] {
    lab::HierarchicalMutex m(100);
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(m, "nothing"));
    const Attempt a = attempt_try_lock(m);
    // Locked (by a broken version) is not possible for a mutex this thread holds; nothing to unlock.
    EXPECT_EQ(a.outcome, Outcome::kRefused)
        << "try_lock() of the level-100 mutex this thread already holds must throw std::logic_error (level 100 is "
        << "not below level 100), but " << describe(a) << ". Check the rule before touching the underlying "
        << "mutex, and refuse equal levels: then relocking is a clear error, not a self-deadlock (lock()) or a "
        << "misleading \"busy\" (try_lock()). Read " << kLesson << '.';
    m.unlock();
  });
}

TEST(HierarchicalMutexTest, ABusyTryLockReturnsFalseAndChangesNothing) {
  lab::HierarchicalMutex m(100), high(500);
  int guarded = 0;  // written under m by the holder, read under m by the other thread afterwards
  sync::latch holder_has_it(1), other_tried(1);
  sync::thread holder([&] {
    m.lock();
    guarded = 1;
    holder_has_it.count_down();
    other_tried.wait();
    guarded = 2;
    m.unlock();
  });
  on_a_fresh_thread([&] {
    holder_has_it.wait();
    const Attempt a = attempt_try_lock(m);
    if (a.outcome == Outcome::kLocked) m.unlock();
    EXPECT_EQ(a.outcome, Outcome::kBusy)
        << "another thread holds the level-100 mutex and this thread holds nothing, so try_lock() must return "
        << "false, but " << describe(a) << ". A busy mutex is not a wrong order: nothing this thread holds "
        << "forbids level 100. If it threw, the levels are not per thread (thread_local, not static). Read "
        << kLesson << '.';
    if (a.outcome != Outcome::kRefused) {
      // The failed try_lock() must have left no trace: this thread still holds nothing, so level 500 is fine.
      if (LOCK_EXPECTING_SUCCESS(high, "nothing (its try_lock() of a level-100 mutex just failed)")) high.unlock();
    }
    other_tried.count_down();
  });
  holder.join();
  m.lock();
  EXPECT_EQ(guarded, 2) << "the holder wrote 2 under the mutex before unlocking it; a lock afterwards must see it";
  m.unlock();
}

TEST(HierarchicalMutexTest, UnlockRestoresThePreviousLevel) {
  on_a_fresh_thread([] {
    lab::HierarchicalMutex a(300), b(200), c(250), d(1000);
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(a, "nothing"));
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(b, "level 300"));
    b.unlock();
    if (LOCK_EXPECTING_SUCCESS(c, "level 300 (it locked 300, then 200, then unlocked the 200)")) c.unlock();
    a.unlock();
    if (LOCK_EXPECTING_SUCCESS(d, "nothing (it unlocked everything it locked)")) d.unlock();
  });
}

TEST(HierarchicalMutexTest, UnlockingOutOfOrderKeepsTheLowestLevelStillHeld) {
  on_a_fresh_thread([] {
    lab::HierarchicalMutex a(300), b(200), c(250), d(100);
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(a, "nothing"));
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(b, "level 300"));
    a.unlock();  // out of order: b, level 200, is still held
    EXPECT_REFUSED(attempt_lock(c), c, "lock()", "level 200 (it locked 300, then 200, then unlocked the 300)",
                   "After an unlock in any order the limit is the lowest level still held, here 200. Restoring "
                   "the level saved when the unlocked mutex was locked, or dropping the last entry of a stack "
                   "instead of this mutex's own, is right only for the mutex locked last.");
    if (LOCK_EXPECTING_SUCCESS(d, "level 200")) d.unlock();
    b.unlock();
  });
}

TEST(HierarchicalMutexTest, UnlockingEverythingOutOfOrderFreesTheThread) {
  on_a_fresh_thread([] {
    lab::HierarchicalMutex a(300), b(200), c(1000);
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(a, "nothing"));
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(b, "level 300"));
    a.unlock();
    b.unlock();
    if (LOCK_EXPECTING_SUCCESS(c, "nothing (it locked 300 and 200, then unlocked 300 first and 200 second)")) {
      c.unlock();
    }
  });
}

TEST(HierarchicalMutexTest, ARefusedLockLeavesTheMutexFree) {
  lab::HierarchicalMutex low(100), high(300), top(1000);
  on_a_fresh_thread([&] {
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(low, "nothing"));
    const Attempt a = attempt_lock(high);
    EXPECT_REFUSED(a, high, "lock()", "level 100",
                   "Check the rule first, and lock the underlying mutex only when it passed.");
    low.unlock();
    if (LOCK_EXPECTING_SUCCESS(top, "nothing (its lock() of 300 was refused, then it unlocked 100)")) top.unlock();
  });
  on_a_fresh_thread([&] {  // another thread, holding nothing, after the first one is gone
    const Attempt a = attempt_try_lock(high);
    if (a.outcome == Outcome::kLocked) high.unlock();
    EXPECT_EQ(a.outcome, Outcome::kLocked)
        << "another thread's lock() of this level-300 mutex was refused, so nobody holds it: try_lock() from a "
        << "thread that holds nothing must succeed, but " << describe(a) << ". A refused lock() must leave "
        << "nothing locked: check first, and lock only when the check passed. Read " << kLesson << '.';
  });
}

TEST(HierarchicalMutexTest, ARefusedTryLockLeavesTheMutexFree) {
  lab::HierarchicalMutex low(100), high(300), top(1000);
  on_a_fresh_thread([&] {
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(low, "nothing"));
    EXPECT_REFUSED(attempt_try_lock(high), high, "try_lock()", "level 100",
                   "try_lock() follows the same rule as lock(), checked before the underlying try_lock().");
    low.unlock();
    if (LOCK_EXPECTING_SUCCESS(top, "nothing (its try_lock() of 300 was refused, then it unlocked 100)")) {
      top.unlock();
    }
  });
  on_a_fresh_thread([&] {
    const Attempt a = attempt_try_lock(high);
    if (a.outcome == Outcome::kLocked) high.unlock();
    EXPECT_EQ(a.outcome, Outcome::kLocked)
        << "another thread's try_lock() of this level-300 mutex was refused, so nobody should hold it: "
        << "try_lock() from a thread that holds nothing must succeed, but " << describe(a)
        << ". A try_lock() that locks first and checks afterwards throws with the mutex still locked, and "
        << "nobody will ever unlock it. Check before mu_.try_lock(). Read " << kLesson << '.';
  });
}

TEST(HierarchicalMutexTest, EachThreadHasItsOwnLevels) {
  lab::HierarchicalMutex low(100), high(500), mid(300);
  sync::latch low_is_held(1), other_done(1);
  sync::thread holder([&] {
    low.lock();
    low_is_held.count_down();
    other_done.wait();
    low.unlock();
  });
  on_a_fresh_thread([&] {
    low_is_held.wait();
    const Attempt a = attempt_lock(high);
    EXPECT_EQ(a.outcome, Outcome::kLocked)
        << "another thread holds a level-100 mutex, this thread holds nothing, and its lock() of level 500 "
        << "must succeed, but " << describe(a) << ". The levels a thread holds constrain that thread only: keep "
        << "them in a thread_local, not in a static or a member that all threads share. Read " << kLesson << '.';
    if (a.outcome == Outcome::kLocked) {
      if (LOCK_EXPECTING_SUCCESS(mid, "level 500 (another thread holds 100)")) mid.unlock();
      high.unlock();
    }
    other_done.count_down();
  });
  holder.join();
}

TEST(HierarchicalMutexTest, AnotherThreadsFailedTryLockDoesNotChangeYourLevel) {
  lab::HierarchicalMutex high(500), m(100), top(700);
  sync::latch m_is_held(1), other_tried(1);
  Attempt other{};
  sync::thread other_thread([&] {
    m_is_held.wait();
    other = attempt_try_lock(m);  // busy: the test's thread holds m
    if (other.outcome == Outcome::kLocked) m.unlock();
    other_tried.count_down();
  });
  on_a_fresh_thread([&] {
    ASSERT_TRUE(LOCK_EXPECTING_SUCCESS(high, "nothing"));
    if (!LOCK_EXPECTING_SUCCESS(m, "level 500")) {
      m_is_held.count_down();
      other_tried.wait();
      high.unlock();
      return;
    }
    m_is_held.count_down();
    other_tried.wait();
    m.unlock();  // this thread still holds high, level 500
    EXPECT_REFUSED(attempt_lock(top), top, "lock()",
                   "level 500 (it locked 500 and 100, another thread's try_lock() of the 100 failed, then this "
                   "thread unlocked the 100)",
                   "If the level to go back to is stored in the mutex, another thread that touches the mutex "
                   "before owning it (here a try_lock() that fails; in real code a lock() that waits) overwrites "
                   "it, and the owner's unlock restores the other thread's level. Keep each thread's levels in "
                   "that thread's own (thread_local) record, or write the mutex's fields only while holding it.");
    high.unlock();
  });
  other_thread.join();
  EXPECT_EQ(other.outcome, Outcome::kBusy)
      << "the other thread holds nothing, so its try_lock() of the level-100 mutex the test's thread held must "
      << "return false (busy), but " << describe(other) << ". Read " << kLesson << '.';
}

TEST(HierarchicalMutexTest, WorksWithTheStandardLockTypes) {
  on_a_fresh_thread([] {
    lab::HierarchicalMutex high(300), mid(200), low(100), higher(400);
    try {
      {
        sync::lock_guard a(high);
        sync::unique_lock b(mid);
        sync::scoped_lock c(low);
      }
      {
        sync::unique_lock a(high, std::try_to_lock);
        EXPECT_TRUE(a.owns_lock()) << "unique_lock(m, try_to_lock) on a free mutex, holding nothing, must own it";
        sync::unique_lock b(low, std::defer_lock);
        b.lock();
        b.unlock();  // released early: high is still held
        EXPECT_THROW(sync::lock_guard c(higher), std::logic_error)
            << "a lock_guard on a level-400 mutex while this thread holds level 300 (through a unique_lock) must "
            << "throw std::logic_error out of its constructor, and then owns nothing. Read " << kLesson << '.';
      }
      sync::lock_guard again(low);  // everything above was released: any level is fine
    } catch (const std::logic_error& e) {
      ADD_FAILURE() << "a lock that keeps the rule threw: \"" << e.what()
                    << "\". This test takes 300, 200, 100 with lock_guard, unique_lock and scoped_lock, releases "
                    << "them (in reverse order, through the guards' destructors), then takes 300 again and 100 "
                    << "with an early unlock: every step is allowed if unlock() gives back the levels. Read "
                    << kLesson << '.';
    }
  });
}

// The deadlock the hierarchy exists to prevent: thread A holds low (100) and asks for high (300) while thread B
// holds high and asks for low. With the rule checked before blocking, A's request throws, A's lock_guard releases
// low, and B gets it. Without the check, or with the check after mu_.lock(), A waits for B and B for A, forever.
struct TwoThreads {
  lab::HierarchicalMutex high{300}, low{100};
  sync::latch a_holds_low{1}, b_holds_high{1};
  Attempt a_asks_high, b_asks_high, b_asks_low;
};

TEST(HierarchicalMutexTest, AWrongOrderThrowsInsteadOfDeadlocking) {
  auto s = std::make_shared<TwoThreads>();  // shared: if the threads hang, they outlive the test
  const bool finished = conclab::returns_in_time(
      [s] {
        sync::thread a([s] {
          s->low.lock();
          s->a_holds_low.count_down();
          s->b_holds_high.wait();
          s->a_asks_high = attempt_lock(s->high);  // the wrong order
          if (s->a_asks_high.outcome == Outcome::kLocked) s->high.unlock();
          s->low.unlock();
        });
        sync::thread b([s] {
          s->a_holds_low.wait();
          s->b_asks_high = attempt_lock(s->high);
          s->b_holds_high.count_down();
          if (s->b_asks_high.outcome != Outcome::kLocked) return;
          s->b_asks_low = attempt_lock(s->low);  // the right order: waits until A lets go of low
          if (s->b_asks_low.outcome == Outcome::kLocked) s->low.unlock();
          s->high.unlock();
        });
        a.join();
        b.join();
      },
      conclab::patience(3s));
  ASSERT_TRUE(finished)
      << "thread A holds the level-100 mutex and calls lock() on the level-300 one, which thread B holds while "
      << "it waits for the level-100 one: the two threads are deadlocked (still blocked after 3 s). A's request "
      << "breaks the hierarchy, so lock() must throw std::logic_error BEFORE it blocks on the underlying mutex; "
      << "then A's unlock lets B finish. Checking after mu_.lock() is too late: the thread is already stuck in "
      << "the deadlock the check was meant to prevent. Read " << kLesson << '.';
  EXPECT_EQ(s->b_asks_high.outcome, Outcome::kLocked)
      << "thread B holds nothing while thread A holds the level-100 mutex, so B's lock() of level 300 must "
      << "succeed, but " << describe(s->b_asks_high) << ". A's locks constrain A only: the levels a thread holds "
      << "belong in a thread_local. Read " << kLesson << '.';
  EXPECT_EQ(s->a_asks_high.outcome, Outcome::kRefused)
      << "thread A holds level 100 and asked for level 300: lock() must throw std::logic_error, but "
      << describe(s->a_asks_high) << ". Read " << kLesson << '.';
  if (s->b_asks_high.outcome == Outcome::kLocked) {
    EXPECT_EQ(s->b_asks_low.outcome, Outcome::kLocked)
        << "thread B holds level 300 and asked for level 100, the right order, once A let go of it: lock() must "
        << "succeed, but " << describe(s->b_asks_low) << ". Read " << kLesson << '.';
  }
}

}  // namespace
