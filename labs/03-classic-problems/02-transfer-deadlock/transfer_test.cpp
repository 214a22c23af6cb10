// Graded tests for lab 03.02, transfer-deadlock. Lesson: modules/03-classic-problems/02-deadlock.md
//
// A deadlock needs two threads to be between their first and second lock at the same moment: a window of a few
// instructions, which a stress test rarely hits. So the tests that matter are sim tests (CONCLAB_SIM_TEST),
// written once and run two ways:
//
//   - In the sim build they run under the explorer (conclab/sim), which switches threads at every lock and unlock
//     of a sync::mutex and tries every schedule of the test's two threads with up to two preemptions. A schedule
//     where every thread waits for a lock another one holds is reported as a deadlock, with what each thread
//     holds and waits for; a thread that locks a mutex it already holds, as a self-deadlock. Every run.
//   - In the default and TSan builds they run 20 times on real threads, under a watchdog (watched(), below): a
//     deadlock that does happen fails the test with a message after a few seconds instead of hanging the run.
//
// ThreadSanitizer adds the other deterministic catch: it remembers, for every mutex, which mutexes were held when
// it was locked, and reports "lock-order-inversion (potential deadlock)" as soon as two mutexes have been taken in
// both orders, even one after the other on a run where nothing could deadlock
// (TransferTest.OppositeTransfersOneAfterTheOtherUseOneLockOrder shows it).
#include <transfer.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "conclab/run_threads.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"
#include "conclab/finishes.hpp"
#include "conclab/watchdog.hpp"

namespace {

constexpr const char* kLesson = "modules/03-classic-problems/02-deadlock.md";

// Where to read, for a message: `see("Lock in one order")`.
std::string see(const char* section) {
  return std::string("Read \"") + section + "\" in " + kLesson + '.';
}

std::string balances(const lab::Account& a, const lab::Account& b) {
  std::ostringstream out;
  out << "(balances now: account " << a.id() << " has " << a.balance() << ", account " << b.id() << " has "
      << b.balance() << ")";
  return out.str();
}

// The balances at the end of a body, read inside it (under the watchdog): after a watched body, the test reads
// only these, never balance() itself, which would hang the test's own thread if a lock were left held.
struct End {
  lab::Money a = -1;
  lab::Money b = -1;
  lab::Money c = -1;
  std::string text() const {
    std::ostringstream out;
    out << "(balances at the end: a " << a << ", b " << b;
    if (c >= 0) out << ", c " << c;
    out << ")";
    return out.str();
  }
};

// A correct call takes microseconds, even under ThreadSanitizer on a busy machine: one that has not returned
// after kPatience of real time is blocked for good. Default and TSan builds only; the sim reports deadlocks itself.
const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(3));

// A body that can block: in the sim build the body itself (the explorer reports a deadlock with the schedule); on
// real threads it runs under the watchdog, and a deadlock fails the test with `if_stuck`. The body must own what
// it touches (a shared_ptr): a blocked body is left behind, detached.
void watched(std::function<void()> body, const std::string& if_stuck) {
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), kPatience))
      << "not finished after " << kPatience.count() / 1000.0 << " s (a correct transfer takes microseconds): "
      << if_stuck << " The sim build shows the schedule: ./conclab explore 03.02.";
}

// ---- One thread: what a transfer does ----

// In the TSan build this single-threaded test also catches a lock order that depends on the direction of the
// money: it makes a -> b and then b -> a, and ThreadSanitizer's lock-order graph does not care that one thread
// made both (a second thread doing the same would deadlock), so it reports the lock-order inversion here too.

TEST(TransferTest, MovesMoneyAndRefusesAnOverdraft) {
  auto st = std::make_shared<std::pair<lab::Account, lab::Account>>(std::piecewise_construct, std::forward_as_tuple(1, 100),
                                                                    std::forward_as_tuple(2, 50));
  watched([st] {
    lab::Account& a = st->first;
    lab::Account& b = st->second;
    lab::transfer(a, b, 30);
    EXPECT_EQ(a.balance(), 70) << "transfer(a, b, 30) from 100 leaves 70 in a " << balances(a, b);
    EXPECT_EQ(b.balance(), 80) << "transfer(a, b, 30) into 50 makes 80 in b " << balances(a, b);
    EXPECT_THROW(lab::transfer(a, b, 71), lab::InsufficientFunds)
        << "a holds 70, so transfer(a, b, 71) must throw lab::InsufficientFunds " << balances(a, b);
    EXPECT_EQ(a.balance(), 70) << "a refused transfer changes nothing " << balances(a, b);
    EXPECT_EQ(b.balance(), 80) << "a refused transfer changes nothing " << balances(a, b);
    lab::transfer(a, b, 70);
    EXPECT_EQ(a.balance(), 0) << "a transfer of the whole balance is allowed and leaves 0 " << balances(a, b);
    lab::transfer(b, a, 0);
    EXPECT_EQ(b.balance(), 150) << "a transfer of 0 changes nothing " << balances(a, b);
    EXPECT_THROW(lab::transfer(b, a, -1), std::invalid_argument)
        << "a negative amount would be a transfer the other way: it must throw std::invalid_argument";
    EXPECT_EQ(a.balance() + b.balance(), 150) << "transfers never create or destroy money " << balances(a, b);
  }, "a transfer on ONE thread never returned. After the refused transfer(a, b, 71), is a lock still held (a throw "
     "between lock() and unlock() skips the unlock: use an RAII guard)? " + see("The traps"));
}

// ---- The deadlock: two transfers in opposite directions ----

// Every schedule of transfer(a, b, 10) against transfer(b, a, 20). Taking `from` first, then `to`, lets each
// thread hold its `from` and wait for the other's: the explorer reports the deadlock. This is the test
// `./conclab play 03.02` lets you schedule by hand.
CONCLAB_SIM_TEST(TransferTest, OppositeTransfersDoNotDeadlock) {
  conclab::sim::explain(
      "a deadlock here is transfer(a, b) holding a's mutex and waiting for b's while transfer(b, a) holds b's and "
      "waits for a's: a cycle of two threads each waiting for the other. Locking `from` and then `to` (argument "
      "order) allows it, and so does any order that two calls can see differently (a balance, the address of a "
      "local copy). A loop that never ends here is a retry loop (try_lock, let go, try again) that never waits "
      "for the busy lock, so it can spin for as long as the other thread holds it. Lock the lower id first in "
      "every function, or take both with sync::scoped_lock. " + see("Why it breaks: four conditions"));
  struct State {
    lab::Account a{1, 100};
    lab::Account b{2, 100};
    End end;
  };
  auto st = std::make_shared<State>();
  watched([st] {
    {
      conclab::sync::jthread there([&] { lab::transfer(st->a, st->b, 10); });
      conclab::sync::jthread back([&] { lab::transfer(st->b, st->a, 20); });
    }  // both joined
    st->end = {st->a.balance(), st->b.balance()};
  }, "transfer(a, b, 10) and transfer(b, a, 20) on two threads are blocked for good: each holds one account's "
     "mutex and waits for the other's (a lock-order deadlock). " + see("Why it breaks: four conditions"));
  if (::testing::Test::HasFailure()) return;
  EXPECT_EQ(st->end.a, 110) << "a had 100, sent 10 and received 20 " << st->end.text();
  EXPECT_EQ(st->end.b, 90) << "b had 100, received 10 and sent 20 " << st->end.text();
}

// Three transfers on two threads, and the second thread's first transfer changes which account is richer:
// transfer(a, c, 60) takes a from 100 to 40, below b's 50. Any lock order computed from something that changes (a balance) can then be seen one
// way by transfer(a, b) before that and the other way by transfer(b, a) after it, while both are between their
// two locks. The order must come from something that never changes: the id.
CONCLAB_SIM_TEST(TransferTest, TransfersWhileBalancesChangeDoNotDeadlock) {
  conclab::sim::explain(
      "transfer(a, b) chose its lock order, then transfer(a, c) changed the balances, then transfer(b, a) chose "
      "the opposite order: each now holds one of a and b and waits for the other. A lock order has to be the "
      "same for every call at every moment: compute it from the id, which never changes, not from a balance. " +
      see("Lock in one order"));
  struct State {
    lab::Account a{1, 100};
    lab::Account b{2, 50};
    lab::Account c{3, 0};
    End end;
  };
  auto st = std::make_shared<State>();
  watched([st] {
    {
      conclab::sync::jthread there([&] { lab::transfer(st->a, st->b, 10); });
      conclab::sync::jthread away_and_back([&] {
        lab::transfer(st->a, st->c, 60);  // a: 100 -> 40, now poorer than b
        lab::transfer(st->b, st->a, 5);
      });
    }  // both joined
    st->end = {st->a.balance(), st->b.balance(), st->c.balance()};
  }, "three transfers among a, b and c are blocked for good: two of them took the locks of a and b in opposite "
     "orders. " + see("Lock in one order"));
  if (::testing::Test::HasFailure()) return;
  EXPECT_EQ(st->end.a, 35) << "a had 100, sent 10 and 60, received 5 " << st->end.text();
  EXPECT_EQ(st->end.b, 55) << "b had 50, received 10, sent 5 " << st->end.text();
  EXPECT_EQ(st->end.c, 60) << "c received 60 " << st->end.text();
}

// On real threads: one transfer a -> b on one thread, and after it has been joined, one transfer b -> a on
// another. Nothing can deadlock here (they never overlap), so in the default build every version passes. But
// ThreadSanitizer (TSan build) remembers that a was held when b was locked, and then b when a was locked: a cycle
// in the lock order, reported as "lock-order-inversion (potential deadlock)" on every run, with the stacks of the
// two orders. That report is the one to learn to read: it finds the bug on runs that were lucky.
TEST(TransferTest, OppositeTransfersOneAfterTheOtherUseOneLockOrder) {
  struct State {
    lab::Account a{1, 100};
    lab::Account b{2, 100};
    End end;
  };
  auto st = std::make_shared<State>();
  watched([st] {
    { std::jthread there([&] { lab::transfer(st->a, st->b, 10); }); }  // joined
    { std::jthread back([&] { lab::transfer(st->b, st->a, 20); }); }   // joined
    st->end = {st->a.balance(), st->b.balance()};
  }, "two transfers that never overlapped are blocked: is a lock still held after transfer() returns? " +
     see("The traps"));
  if (::testing::Test::HasFailure()) return;
  EXPECT_EQ(st->end.a, 110) << "a had 100, sent 10 and received 20 " << st->end.text();
  EXPECT_EQ(st->end.b, 90) << "b had 100, received 10 and sent 20 " << st->end.text();
}

// On real threads: 2'000 transfers each way between two accounts. With argument-order locking most runs
// deadlock here (the watchdog then fails the test), and ThreadSanitizer reports the lock-order inversion on every
// run that got far enough to use both orders.
TEST(TransferTest, ManyTransfersBothWaysOnRealThreads) {
  static constexpr int kTransfers = 2'000;
  struct State {
    lab::Account a{1, 1'000'000};
    lab::Account b{2, 1'000'000};
    End end;
  };
  auto st = std::make_shared<State>();
  watched([st] {
    conclab::run_threads(2, [&](int i) {
      for (int k = 0; k < kTransfers; ++k) {
        if (i == 0) {
          lab::transfer(st->a, st->b, 1);
        } else {
          lab::transfer(st->b, st->a, 1);
        }
      }
    });
    st->end = {st->a.balance(), st->b.balance()};
  }, "two threads making 2'000 transfers a -> b and b -> a are blocked for good: a lock-order deadlock (a run that "
     "finishes is luck: the TSan build reports the two orders every time). " + see("Lock in one order"));
  if (::testing::Test::HasFailure()) return;
  EXPECT_EQ(st->end.a, 1'000'000) << "2'000 transfers of 1 each way leave both where they started " << st->end.text();
  EXPECT_EQ(st->end.b, 1'000'000) << "2'000 transfers of 1 each way leave both where they started " << st->end.text();
}

// ---- from == to ----

// transfer(a, a, x) on the test's thread while another thread moves money out of a. With one mutex per account
// the "two" locks of a self-transfer are the same mutex: locking it twice waits for itself (std::mutex is not
// recursive), and handing it twice to std::lock / scoped_lock makes it retry forever.
CONCLAB_SIM_TEST(TransferTest, TransferToTheSameAccountChangesNothing) {
  conclab::sim::explain(
      "a transfer from an account to itself can only block forever on its own mutex: locked twice by one thread "
      "(a self-deadlock), or given twice to std::lock / sync::scoped_lock, which locks it, finds it busy (you hold "
      "it) and retries. Handle from == to before taking two locks. " + see("The traps"));
  struct State {
    lab::Account a{1, 100};
    lab::Account b{2, 0};
    bool refused = false;
    End end;
  };
  auto st = std::make_shared<State>();
  watched([st] {
    {
      conclab::sync::jthread out([&] { lab::transfer(st->a, st->b, 30); });
      lab::transfer(st->a, st->a, 50);
      try {
        lab::transfer(st->a, st->a, 101);
      } catch (const lab::InsufficientFunds&) {
        st->refused = true;
      }
    }  // joined
    st->end = {st->a.balance(), st->b.balance()};
  }, "transfer(a, a, 50), from an account to itself, never returned: it takes a's one mutex twice. " + see("The traps"));
  if (::testing::Test::HasFailure()) return;
  EXPECT_TRUE(st->refused) << "a never holds 101, so transfer(a, a, 101) must throw lab::InsufficientFunds like any "
                              "transfer of more than `from` holds";
  EXPECT_EQ(st->end.a, 70) << "a self-transfer changes nothing; the other thread took 30 from 100 " << st->end.text();
  EXPECT_EQ(st->end.b, 30) << "the other thread's transfer of 30 arrived " << st->end.text();
}

// ---- Check and act under the same locks ----

// Two transfers of 60 out of an account holding 100: at most one fits. Checking the balance under one lock, letting
// go, and then taking both locks to move the money lets both checks pass before either debit.
CONCLAB_SIM_TEST(TransferTest, RacingTransfersCannotOverdraw) {
  struct State {
    lab::Account a{1, 100};
    lab::Account b{2, 0};
    lab::Account c{3, 0};
    conclab::sync::mutex guard;
    int refused = 0;  // written by both threads: guarded by guard
    End end;
  };
  auto st = std::make_shared<State>();
  watched([st] {
    auto move = [&](lab::Account& to) {
      try {
        lab::transfer(st->a, to, 60);
      } catch (const lab::InsufficientFunds&) {
        conclab::sync::lock_guard lock(st->guard);
        ++st->refused;
      }
    };
    {
      conclab::sync::jthread to_b([&] { move(st->b); });
      conclab::sync::jthread to_c([&] { move(st->c); });
    }  // joined
    st->end = {st->a.balance(), st->b.balance(), st->c.balance()};
  }, "transfer(a, b, 60) and transfer(a, c, 60) from 100 are blocked for good. Only one can succeed; the "
     "other throws InsufficientFunds, and if it throws while holding a lock (between lock() and unlock()), the "
     "next lock of that account waits forever. " + see("The traps"));
  if (::testing::Test::HasFailure()) return;
  const lab::Money a = st->end.a;
  EXPECT_GE(a, 0) << "a held 100 and two threads each moved 60 out of it: a is now " << a
                  << ". Both checks passed before either debit: the check and the move must happen under the same "
                     "locks, held from the check to the last write (check-then-act). " << see("The traps");
  EXPECT_EQ(st->refused, 1) << "100 covers one transfer of 60, not two: exactly one must throw InsufficientFunds "
                            << st->end.text();
  EXPECT_EQ(a + st->end.b + st->end.c, 100) << "transfers never create or destroy money " << st->end.text();
}

// ---- Exceptions ----

// A refused transfer throws; the next transfer between the same accounts, on another thread, must get the locks.
// lock() ... throw ... unlock() never reaches the unlock(): the mutex stays locked by a thread that has moved on.
CONCLAB_SIM_TEST(TransferTest, RefusedTransferLeavesNoLockHeld) {
  conclab::sim::explain(
      "a transfer after a refused one can only wait forever if the refused transfer left a lock held: it threw "
      "InsufficientFunds between a lock() and its unlock(), and the unlock() never ran. Hold locks with an RAII "
      "guard (lock_guard, scoped_lock), whose destructor unlocks when an exception leaves the scope. " +
      see("The traps"));
  struct State {
    lab::Account a{1, 10};
    lab::Account b{2, 10};
    bool refused = false;
    End end;
  };
  auto st = std::make_shared<State>();
  watched([st] {
    {
      conclab::sync::jthread refused([&] {
        try {
          lab::transfer(st->a, st->b, 1'000);
        } catch (const lab::InsufficientFunds&) {
          st->refused = true;
        }
      });
    }  // joined: the refused transfer is over
    { conclab::sync::jthread later([&] { lab::transfer(st->b, st->a, 5); }); }  // joined
    st->end = {st->a.balance(), st->b.balance()};
  }, "a transfer after a refused one is blocked for good: the refused transfer threw while holding a lock and never "
     "unlocked it. " + see("The traps"));
  if (::testing::Test::HasFailure()) return;
  EXPECT_TRUE(st->refused) << "a holds 10, so transfer(a, b, 1'000) must throw lab::InsufficientFunds";
  EXPECT_EQ(st->end.a, 15) << "the refused transfer changed nothing, then 5 went b -> a " << st->end.text();
}

// ---- Unknown code under a lock ----

// The callback of transfer(from, to, amount, on_done) is the caller's code. Here it reads both balances, which
// locks both accounts: under transfer()'s locks that is one thread locking a mutex it already holds.
CONCLAB_SIM_TEST(TransferTest, CallbackRunsWithNoLockHeld) {
  conclab::sim::explain(
      "the transfer's callback called balance(), which locks the account, and it waited forever: transfer() called "
      "the callback while still holding that account's lock (a self-deadlock). Never call code you do not control "
      "(a callback, a virtual function, a user's lambda) while holding a lock: finish, unlock, then call it. " +
      see("Never call unknown code under a lock"));
  struct State {
    lab::Account a{1, 100};
    lab::Account b{2, 0};
    int calls = 0;
    lab::Receipt receipt;
    lab::Money a_seen = -1;
    lab::Money b_seen = -1;
  };
  auto st = std::make_shared<State>();
  watched([st] {
    lab::transfer(st->a, st->b, 40, [&](const lab::Receipt& r) {
      ++st->calls;
      st->receipt = r;
      st->a_seen = st->a.balance();
      st->b_seen = st->b.balance();
    });
  }, "the callback called a.balance() and never got the lock: transfer() called it while holding the accounts' "
     "locks. " + see("Never call unknown code under a lock"));
  if (::testing::Test::HasFailure()) return;
  EXPECT_EQ(st->calls, 1) << "on_done must be called exactly once after a transfer that succeeded";
  EXPECT_EQ(st->receipt.from, 1u) << "the receipt names the account the money came from";
  EXPECT_EQ(st->receipt.to, 2u) << "the receipt names the account the money went to";
  EXPECT_EQ(st->receipt.amount, 40) << "the receipt has the amount";
  EXPECT_EQ(st->receipt.from_balance_after, 60) << "100 - 40: the receipt has from's balance right after the move";
  EXPECT_EQ(st->receipt.to_balance_after, 40) << "0 + 40: the receipt has to's balance right after the move";
  EXPECT_EQ(st->a_seen, 60) << "the callback runs after the transfer: it sees the money gone from a";
  EXPECT_EQ(st->b_seen, 40) << "the callback runs after the transfer: it sees the money arrived in b";
}

// ---- Many accounts at one instant ----

// total({b, a}) while transfer(a, b, 100) runs: the 100 is always somewhere, so every total is 100. Adding up one
// account at a time can read a before the move and b after it (200), or b before and a after (0). And the order
// matters: a total that locks b first while the transfer locks a first is the deadlock all over again.
CONCLAB_SIM_TEST(TransferTest, TotalNeverSeesATransferHalfDone) {
  conclab::sim::explain(
      "total({b, a}) and transfer(a, b) can only wait for each other forever if they take the two locks in "
      "opposite orders: total() locked them in the order it was given ({b, a}) while the transfer took a first. "
      "Every function that holds several account locks must take them in the same order: sort by id first. " +
      see("Lock in one order"));
  struct State {
    lab::Account a{1, 100};
    lab::Account b{2, 0};
    lab::Money seen = -1;
  };
  auto st = std::make_shared<State>();
  watched([st] {
    conclab::sync::jthread mover([&] { lab::transfer(st->a, st->b, 100); });
    const std::vector<lab::Account*> accounts{&st->b, &st->a};
    st->seen = lab::total(accounts);
  }, "total({b, a}) and transfer(a, b) are blocked for good: they took the two locks in opposite orders. " +
     see("Lock in one order"));
  if (::testing::Test::HasFailure()) return;
  EXPECT_EQ(st->seen, 100) << "total({b, a}) while 100 moved from a to b returned " << st->seen
                           << ": the money is always in one of them, so any total taken at one instant is 100. "
                           << (st->seen == 200 ? "200 counted the 100 twice (a read before the move, b after it). "
                               : st->seen == 0 ? "0 missed it (b read before the move, a after it). "
                                               : "")
                           << "Hold every lock at once while you add up. " << see("Many accounts at once");
}

// total({a, b}) and total({b, a}) at once. sync::scoped_lock makes transfers safe in any order, but a total over
// a run-time list of accounts cannot use it: two totals that each lock in the order they were given hold one
// account each and wait for the other's. Sort by id before locking.
CONCLAB_SIM_TEST(TransferTest, TwoTotalsInOppositeOrdersDoNotDeadlock) {
  conclab::sim::explain(
      "total({a, b}) holds a's lock and waits for b's while total({b, a}) holds b's and waits for a's: total() "
      "locked the accounts in the order the caller listed them, and two callers listed them differently. Sort "
      "the accounts by id, then lock them in that order. " + see("Many accounts at once"));
  struct State {
    lab::Account a{1, 30};
    lab::Account b{2, 70};
    lab::Money first = -1;
    lab::Money second = -1;
  };
  auto st = std::make_shared<State>();
  watched([st] {
    conclab::sync::jthread one([&] { st->first = lab::total(std::vector<lab::Account*>{&st->a, &st->b}); });
    conclab::sync::jthread other([&] { st->second = lab::total(std::vector<lab::Account*>{&st->b, &st->a}); });
  },  // both joined as the body ends
  "total({a, b}) and total({b, a}) are blocked for good: each locked its first account and waits for the other's. " +
     see("Many accounts at once"));
  if (::testing::Test::HasFailure()) return;
  EXPECT_EQ(st->first, 100) << "total({a, b}) of 30 and 70 is 100, but it returned " << st->first;
  EXPECT_EQ(st->second, 100) << "total({b, a}) of 70 and 30 is 100, but it returned " << st->second;
}

// On real threads: three threads make 1'000 transfers each between 8 accounts, in every direction (never to the
// same account: TransferToTheSameAccountChangesNothing is about that), while a fourth adds them all up, listed in
// a different order each time. Every total is the opening total.
TEST(TransferTest, TotalOfManyAccountsIsConstantWhileTransfersRun) {
  static constexpr int kAccounts = 8;
  static constexpr int kMovers = 3;
  static constexpr int kTransfers = 1'000;
  static constexpr lab::Money kOpening = 1'000;
  struct State {
    std::vector<std::unique_ptr<lab::Account>> accounts;
    std::atomic<int> movers_left{kMovers};
    int audits = 0;
    int wrong = 0;
    lab::Money first_wrong = 0;
    lab::Money sum_at_end = 0;
    bool negative = false;
  };
  auto st = std::make_shared<State>();
  for (int i = 0; i < kAccounts; ++i) st->accounts.push_back(std::make_unique<lab::Account>(100 + i, kOpening));
  watched([st] {
    conclab::run_threads(kMovers + 1, [&](int t) {
      if (t == kMovers) {  // the auditor: until the movers are done and once more after, and at least 4 times
        std::vector<lab::Account*> list;
        for (auto& a : st->accounts) list.push_back(a.get());
        bool last = false;
        while (!last || st->audits < 4) {  // 4: the lists come in both orders, even if the movers are quick
          last = st->movers_left.load() == 0;
          std::rotate(list.begin(), list.begin() + 3, list.end());  // a different order each time
          if (st->audits % 2 == 1) std::reverse(list.begin(), list.end());
          const lab::Money sum = lab::total(list);
          ++st->audits;
          if (sum != kAccounts * kOpening && st->wrong++ == 0) st->first_wrong = sum;
        }
        return;
      }
      std::uint32_t seed = 12345u + static_cast<std::uint32_t>(t);
      for (int k = 0; k < kTransfers; ++k) {
        seed = seed * 1664525u + 1013904223u;
        const int from = static_cast<int>((seed >> 8) % kAccounts);
        const int to = (from + 1 + static_cast<int>((seed >> 16) % (kAccounts - 1))) % kAccounts;  // never from
        try {
          lab::transfer(*st->accounts[from], *st->accounts[to], static_cast<lab::Money>(seed % 7));
        } catch (const lab::InsufficientFunds&) {
          // fine: that account was low at that moment
        }
      }
      st->movers_left.fetch_sub(1);
    });
    for (auto& a : st->accounts) {
      st->negative = st->negative || a->balance() < 0;
      st->sum_at_end += a->balance();
    }
  }, "3 threads making transfers among 8 accounts, and a 4th adding them up, are blocked for good: somewhere two "
     "functions take account locks in different orders (a transfer against a transfer, or against total()). " +
     see("Lock in one order"));
  if (::testing::Test::HasFailure()) return;
  EXPECT_EQ(st->wrong, 0) << st->wrong << " of " << st->audits << " totals were not " << kAccounts * kOpening
                          << " (the first was " << st->first_wrong << "): total() saw a transfer half done. Hold "
                          << "every account's lock at once while you add up. " << see("Many accounts at once");
  EXPECT_FALSE(st->negative) << "an account went negative: the check and the move must be under the same locks";
  EXPECT_EQ(st->sum_at_end, kAccounts * kOpening) << "transfers never create or destroy money";
}

}  // namespace
