// Graded tests for lab 01.02, bank account. Lesson: modules/01-primitives/01-mutexes-and-locks.md
//
// The race this lab is about (check-then-act) needs one thread to run *between* another thread's
// check and its act. That window is tiny, so instead of hoping for it the tests open it on purpose.
// The racing tests are sim tests (CONCLAB_SIM_TEST), written once and run two ways:
//
//   - In the sim build they run under the explorer (conclab/sim), which switches threads at every lock
//     and unlock of a sync::mutex and tries every schedule of the test's threads with up to two
//     preemptions. If withdraw() or transfer() lets go of the lock anywhere between its check and its
//     act, the explorer puts the other thread there and prints that schedule, step by step.
//   - In the default and TSan builds, real threads cannot be stopped at a chosen step. For the two
//     check-then-act tests, Race (below) pauses the first call at the interleave hook (the Bank calls it
//     once per withdraw()/transfer(), holding no lock) and runs the second call to completion in that
//     pause. That opens the gap only where the hook is: a bank that calls the hook first and then still
//     checks and acts in two critical sections passes there, and fails in the sim build. The other sim
//     tests run 20 times on real threads (a stress test).
//
// A bank that checks and acts under one lock calls the hook before it locks: the second call then simply
// happens first, and the first one sees its effect.
//
// A call that never returns (a self-deadlock, a lock-order deadlock, the hook called under a lock) does
// not hang the run: the tests that can meet one run it under a watchdog (ReturnsInTime, below), which waits
// a few seconds of real time (a correct call takes microseconds) and then fails the test with a message
// that says which deadlock it is. That is the only clock in this file, and it never decides a pass.
#include <bank.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <latch>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "conclab/run_threads.hpp"
#include "conclab/finishes.hpp"
#include "conclab/watchdog.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"

namespace {

constexpr const char* kLesson = "modules/01-primitives/01-mutexes-and-locks.md";
constexpr const char* kRefusedMessage =
    "some transfers of small amounts from accounts holding about 1'000'000 were refused (returned false). "
    "transfer() must succeed whenever `from` holds at least `amount`: get TransferMovesMoneyOrNothing "
    "passing first.";

// Runs two bank calls on two threads, so that the second one can land between the first one's check
// and its act (if the bank leaves a gap there), and joins them.
//
//   Race race;
//   lab::Bank bank({100}, race.hook());
//   race.run([&] { a = bank.withdraw(0, 100); },
//            [&] { b = bank.withdraw(0, 100); });
//
// Sim build: two sync::jthreads and no hook; the explorer tries every schedule of their steps.
// Other builds: the first call to reach the interleave hook pauses there while the second runs from start
// to end. Never hangs on its own: if the first call returns without calling the hook, the second runs
// after it. (It does block if the first call calls the hook while holding a lock the second call needs:
// that is a real deadlock, and the reason the hook contract says "never while holding a lock"; the tests
// run it through watched(), whose watchdog then fails the test with that explanation.)
class Race {
 public:
  std::function<void()> hook() {
    if (conclab::sync::kSimulated) return {};  // the explorer needs no help to find the gap
    return [this] {
      if (opened_.exchange(true)) return;  // only the first call pauses, and only once
      first_paused_.count_down();
      second_done_.wait();
    };
  }

  void run(const std::function<void()>& first, const std::function<void()>& second) {
    if (conclab::sync::kSimulated) {
      conclab::sync::jthread first_thread(first);
      conclab::sync::jthread second_thread(second);
      return;  // both joined
    }
    conclab::sync::jthread first_thread([&] {
      first();
      if (!opened_.exchange(true)) first_paused_.count_down();  // it never called the hook: let second go
    });
    conclab::sync::jthread second_thread([&] {
      first_paused_.wait();
      second();
      second_done_.count_down();
    });
  }  // both joined here: everything they did happens-before run() returns

 private:
  // Used in the default and TSan builds only (the explorer cannot see std's primitives, and needs none).
  conclab::sync::atomic<bool> opened_{false};
  conclab::sync::latch first_paused_{1};  // the first call is inside the hook (or has returned without it)
  conclab::sync::latch second_done_{1};   // the second operation has returned
};

// The watchdog (conclab/watchdog.hpp): a correct call takes microseconds, even under ThreadSanitizer on a busy
// machine; one that has not returned after kPatience of real time is blocked for good, and the test fails with its
// own message instead of hanging until the runner kills the program. Default and TSan builds only (the sim tree
// runs only the sim tests, and finds deadlocks itself).
const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(3));

// A sim test's body that can block: in the sim build that is the body itself (the explorer reports a deadlock
// with what each thread holds and waits for); on real threads it runs under the watchdog, so a deadlock fails
// the test with `if_stuck` instead of hanging the run. The body owns its state through a shared_ptr.
void watched(std::function<void()> body, const std::string& if_stuck) {
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), kPatience))
      << "not finished after " << kPatience.count() / 1000.0 << " s (a correct bank takes microseconds here): " << if_stuck
      << ". The sim build shows the schedule: ./conclab explore 01.02. Read \"Locking several mutexes\" in "
      << kLesson << '.';
}

constexpr const char* kRaceStuck =
    "the two calls are blocked for good. If withdraw() or transfer() calls the interleave hook while holding a "
    "lock, the test pauses that thread there, still holding the lock, and runs the other call, which waits for "
    "that lock: a deadlock. Call the hook before you lock, never under a lock (the hook contract in bank.hpp)";

std::string balances_of(const lab::Bank& bank) {
  std::ostringstream out;
  out << "balances now:";
  for (lab::AccountId id = 0; id < bank.size(); ++id) out << ' ' << bank.balance(id);
  return out.str();
}

TEST(BankTest, OpensWithTheGivenBalances) {
  const lab::Bank bank({100, 0, 250});
  ASSERT_EQ(bank.size(), 3u) << "Bank({100, 0, 250}) opens three accounts";
  EXPECT_EQ(bank.balance(0), 100) << "account 0 opened with 100";
  EXPECT_EQ(bank.balance(1), 0) << "account 1 opened with 0";
  EXPECT_EQ(bank.balance(2), 250) << "account 2 opened with 250";
  EXPECT_EQ(bank.total(), 350) << "total() is the sum of all balances: 100 + 0 + 250";
}

TEST(BankTest, DepositAndWithdrawChangeOneAccount) {
  lab::Bank bank({100, 50});
  bank.deposit(1, 25);
  EXPECT_EQ(bank.balance(1), 75) << "deposit(1, 25) on 50 leaves 75";
  EXPECT_TRUE(bank.withdraw(0, 60)) << "withdraw(0, 60) from 100 must succeed";
  EXPECT_EQ(bank.balance(0), 40) << "withdraw(0, 60) from 100 leaves 40";
  EXPECT_FALSE(bank.withdraw(0, 41)) << "withdraw(0, 41) from 40 must be refused (return false): no overdraft";
  EXPECT_EQ(bank.balance(0), 40) << "a refused withdrawal changes nothing";
  EXPECT_TRUE(bank.withdraw(0, 40)) << "withdrawing the whole balance (40 of 40) is allowed";
  EXPECT_EQ(bank.balance(0), 0) << "withdraw(0, 40) from 40 leaves 0";
  EXPECT_EQ(bank.balance(1), 75) << "withdrawals from account 0 must not touch account 1";
}

TEST(BankTest, TransferMovesMoneyOrNothing) {
  lab::Bank bank({100, 10, 0});
  EXPECT_TRUE(bank.transfer(0, 2, 30)) << "transfer(0, 2, 30) with 100 in account 0 must succeed";
  EXPECT_EQ(bank.balance(0), 70) << "transfer(0, 2, 30) takes 30 from account 0. " << balances_of(bank);
  EXPECT_EQ(bank.balance(2), 30) << "transfer(0, 2, 30) gives 30 to account 2. " << balances_of(bank);
  EXPECT_FALSE(bank.transfer(1, 0, 11)) << "transfer(1, 0, 11) with 10 in account 1 must be refused";
  EXPECT_EQ(bank.balance(1), 10) << "a refused transfer changes nothing. " << balances_of(bank);
  EXPECT_EQ(bank.balance(0), 70) << "a refused transfer changes nothing. " << balances_of(bank);
  EXPECT_TRUE(bank.transfer(1, 0, 10)) << "transferring a whole balance (10 of 10) is allowed";
  EXPECT_EQ(bank.total(), 110) << "transfers move money; they never create or destroy it. " << balances_of(bank);
}

TEST(BankTest, TransferToTheSameAccountChangesNothing) {
  // With one mutex per account, transfer(1, 1, x) would lock the same mutex twice: sync::scoped_lock(m, m)
  // is undefined behaviour (libstdc++'s std::lock then locks m, finds it busy, unlocks and retries forever,
  // and two nested lock_guards wait for themselves). The watchdog turns that into the message below.
  struct State {
    lab::Bank bank{{0, 100}};
    bool allowed = false;
    bool refused = true;
    lab::Money after_allowed = -1;
  };
  auto state = std::make_shared<State>();
  const bool returned = conclab::returns_in_time([state] {
    state->allowed = state->bank.transfer(1, 1, 60);
    state->after_allowed = state->bank.balance(1);
    state->refused = !state->bank.transfer(1, 1, 101);
  }, kPatience);
  ASSERT_TRUE(returned)
      << "transfer(1, 1, 60), from an account to itself, did not return within " << kPatience.count() / 1000.0
      << " s (a correct one takes microseconds): it is blocked for good. With one mutex per account, from == to "
      << "makes transfer() lock the same mutex twice: sync::scoped_lock(m, m) (std::lock retries forever) or two "
      << "lock_guards on one std::mutex (it waits for itself). A std::mutex is not recursive, and locking it "
      << "twice is undefined behaviour. Handle from == to first, under that one account's lock. Read "
      << "\"Locking several mutexes\" in " << kLesson << '.';
  EXPECT_TRUE(state->allowed) << "transfer(1, 1, 60) with 100 in account 1: allowed, and a no-op";
  EXPECT_EQ(state->after_allowed, 100) << "moving money from an account to itself leaves its balance as it was";
  EXPECT_TRUE(state->refused) << "transfer(1, 1, 101) with 100 in account 1 must be refused";
  EXPECT_EQ(state->bank.balance(1), 100) << "a refused transfer changes nothing";
}

// Account 0 holds 100, and two threads withdraw 100 each. Exactly one of them may succeed.
// Sim build: every schedule of the two. Other builds: the first is paused at the hook while the second
// runs from start to end; then the first goes on.
CONCLAB_SIM_TEST(BankTest, WithdrawalsRacingForTheSameMoneyCannotOverdraw) {
  struct State {
    Race race;
    lab::Bank bank{{100}, race.hook()};
    bool first = false;
    bool second = false;
  };
  auto st = std::make_shared<State>();
  watched([st] {
    st->race.run([&] { st->first = st->bank.withdraw(0, 100); }, [&] { st->second = st->bank.withdraw(0, 100); });
  }, kRaceStuck);
  if (::testing::Test::HasFailure()) return;
  const bool first = st->first;
  const lab::Money left = st->bank.balance(0);
  EXPECT_NE(first, st->second)
      << "two threads withdrew 100 from an account holding 100; " << (first ? "both" : "neither")
      << " succeeded, balance now " << left << ". "
      << (first ? "Both checked the balance before either took the money: between the check and the act "
                  "your withdraw() lets go of the lock (or never holds it), and the other withdrawal ran in "
                  "that gap (check-then-act). Moving the interleave hook does not close the gap: take ONE "
                  "lock, then check and act while you hold it."
                : "Exactly one withdrawal of 100 from 100 must succeed.")
      << " Read \"Check-then-act\" in " << kLesson << '.';
  EXPECT_EQ(left, 0) << "after one successful withdrawal of 100 from 100 the balance must be 0, never "
                     << left << ". Read \"Check-then-act\" in " << kLesson << '.';
}

// Account 0 holds 100; one transfer sends all of it to account 1, and another tries to send the same
// 100 to account 2 (in the other builds: in the middle of the first, at its hook).
CONCLAB_SIM_TEST(BankTest, TransfersRacingForTheSameMoneyCannotOverdraw) {
  struct State {
    Race race;
    lab::Bank bank{{100, 0, 0}, race.hook()};
    bool first = false;
    bool second = false;
  };
  auto st = std::make_shared<State>();
  watched([st] {
    st->race.run([&] { st->first = st->bank.transfer(0, 1, 100); }, [&] { st->second = st->bank.transfer(0, 2, 100); });
  }, kRaceStuck);
  if (::testing::Test::HasFailure()) return;
  const bool first = st->first;
  const lab::Bank& bank = st->bank;
  EXPECT_NE(first, st->second)
      << "two transfers of 100 left account 0, which held 100; " << (first ? "both" : "neither")
      << " succeeded. " << balances_of(bank) << ". "
      << (first ? "The second transfer ran between the first one's balance check and its debit. The check, "
                  "the debit and the credit must be one critical section (check-then-act); moving the "
                  "interleave hook does not change that."
                : "Exactly one of them must succeed.")
      << " Read \"Check-then-act\" in " << kLesson << '.';
  EXPECT_EQ(bank.balance(0), 0) << "account 0 must end at 0, never below. " << balances_of(bank);
  EXPECT_EQ(bank.total(), 100) << "transfers move money; they never create or destroy it: the total must stay "
                               << "100. " << balances_of(bank);
}

TEST(BankTest, OppositeTransfersDoNotDeadlock) {
  // One thread moves money 0 -> 1 while another moves it 1 -> 0. If transfer() locks "from, then to"
  // with two separate locks, each thread can hold one account's mutex and wait forever for the other's:
  // in most runs this test then stops at the watchdog, and ThreadSanitizer reports the two lock orders
  // (lock-order-inversion) even in a run that did not deadlock. sync::scoped_lock(a, b) takes both
  // without that risk. The sim test OppositeTransfersNeverDeadlockOnAnySchedule tries every schedule of
  // one transfer each way, so it finds the deadlock on every run, in the sim build.
  static constexpr int kTransfers = 5'000;
  struct State {
    lab::Bank bank{{1'000'000, 1'000'000}};
    conclab::sync::atomic<int> refused{0};
  };
  auto state = std::make_shared<State>();
  const bool returned = conclab::returns_in_time([state] {
    conclab::run_threads(2, [&](int i) {
      for (int k = 0; k < kTransfers; ++k) {
        const bool ok = i == 0 ? state->bank.transfer(0, 1, 1) : state->bank.transfer(1, 0, 1);
        if (!ok) state->refused.fetch_add(1);
      }
    });
  }, kPatience);
  ASSERT_TRUE(returned)
      << "two threads ran 5'000 transfers 0 -> 1 and 1 -> 0, and they had not finished after " << kPatience.count() / 1000.0
      << " s (a correct bank takes milliseconds): they are blocked for good, a deadlock. If transfer() locks `from` "
      << "and then `to` with two separate locks, transfer(0, 1) can hold account 0 and wait for 1 while transfer(1, 0) "
      << "holds 1 and waits for 0. Take both with sync::scoped_lock(a, b), or always lock the lower index first. "
      << "(A run that does not deadlock is luck: the TSan build reports this as lock-order-inversion every time.) "
      << "Read \"Locking several mutexes\" in " << kLesson << '.';
  EXPECT_EQ(state->refused.load(), 0) << kRefusedMessage;
  EXPECT_EQ(state->bank.balance(0), 1'000'000) << "5'000 transfers of 1 each way leave both balances where they "
                                               << "started. " << balances_of(state->bank);
  EXPECT_EQ(state->bank.balance(1), 1'000'000) << "5'000 transfers of 1 each way leave both balances where they "
                                               << "started. " << balances_of(state->bank);
}

// Every schedule of a transfer 0 -> 1 against a transfer 1 -> 0. A transfer() that locks `from` and
// then `to` with two separate locks deadlocks on one of them: each thread holds its first account and
// waits for the other's. The explorer then stops and prints "deadlock" with what each thread holds and
// waits for. Take both with sync::scoped_lock(a, b), which never waits for one while holding the other
// (or lock them in one global order, e.g. by index). Read "Locking several mutexes" in the lesson.
CONCLAB_SIM_TEST(BankTest, OppositeTransfersNeverDeadlockOnAnySchedule) {
  conclab::sim::explain(
      "transfer(0, 1, 10) holds account 0's mutex and waits for account 1's, while transfer(1, 0, 10) holds "
      "account 1's and waits for account 0's: a lock-order deadlock, which two lock_guards taken in argument order "
      "(from, then to) allow. Take both with sync::scoped_lock(a, b), which never waits for one while holding "
      "the other, or always lock the lower index first. Read \"Locking several mutexes\" in " + std::string(kLesson));
  struct State {
    lab::Bank bank{{100, 100}};
    bool there = false;
    bool back = false;
  };
  auto st = std::make_shared<State>();
  watched([st] {
    conclab::sync::jthread a([&] { st->there = st->bank.transfer(0, 1, 10); });
    conclab::sync::jthread b([&] { st->back = st->bank.transfer(1, 0, 10); });
  }, "transfer(0, 1, 10) and transfer(1, 0, 10) are blocked for good: each holds one account's mutex and waits for "
     "the other's (a lock-order deadlock). Take both with sync::scoped_lock(a, b), or lock the lower index first");
  if (::testing::Test::HasFailure()) return;
  const lab::Bank& bank = st->bank;
  EXPECT_TRUE(st->there && st->back)
      << "transfer(0, 1, 10) and transfer(1, 0, 10) from accounts holding 100 each must both succeed (get "
      << "TransferMovesMoneyOrNothing passing first). " << balances_of(bank);
  EXPECT_EQ(bank.balance(0), 100) << "10 went each way, so both balances end where they started. "
                                  << balances_of(bank);
  EXPECT_EQ(bank.balance(1), 100) << "10 went each way, so both balances end where they started. "
                                  << balances_of(bank);
}

// Every schedule of one transfer of 100 (0 -> 1) against one call to total(). The money is always
// somewhere, so every total is 100.
CONCLAB_SIM_TEST(BankTest, TotalNeverSeesATransferHalfDone) {
  conclab::sim::explain(
      "total() and transfer() each hold one account mutex and wait for the other's: total() must take the account "
      "mutexes in index order, and transfer() must take its two with sync::scoped_lock (or in index order too). "
      "Read \"Locking several mutexes\" in " + std::string(kLesson));
  struct State {
    lab::Bank bank{{100, 0}};
    lab::Money seen = 0;
  };
  auto st = std::make_shared<State>();
  watched([st] {
    conclab::sync::jthread mover([&] { st->bank.transfer(0, 1, 100); });
    st->seen = st->bank.total();  // while the mover runs (or before, or after: the explorer tries them all)
  }, "a transfer() and a total() are blocked for good: they take the same account mutexes in opposite orders. "
     "total() must take them in index order, and transfer() must never wait for one while holding the other "
     "(sync::scoped_lock)");
  if (::testing::Test::HasFailure()) return;
  const lab::Money seen = st->seen;
  EXPECT_EQ(seen, 100)
      << "total() returned " << seen << " while one transfer moved 100 from account 0 to account 1, but the "
      << "bank always holds exactly 100: total() ran in the middle of the transfer and saw it half done: "
      << (seen < 100 ? "the money had left account 0 and not yet reached account 1. Debit and credit must be "
                       "one critical section: a transfer that calls withdraw() and then deposit() takes the "
                       "lock twice, and the money is nowhere in between."
                     : "it counted account 0 before the debit and account 1 after the credit, so the 100 was "
                       "counted twice. total() must add up every account at one instant: with one mutex per "
                       "account, take every account's mutex (in index order) and hold them all while it adds up.")
      << " Read \"Lock scope: too narrow, too wide\" and \"Locking several mutexes\" in " << kLesson << '.';
  EXPECT_EQ(st->bank.total(), 100) << "after the transfer, the total must still be 100. " << balances_of(st->bank);
}

// Every schedule of a deposit against a withdrawal on the same account. A deposit cannot overdraw, so it
// is tempting to let it skip the lock; but `balance += amount` is a read and a write of a plain integer,
// and the lock only orders it with threads that take the lock too. The explorer checks every plain read
// and write by happens-before: an unlocked deposit next to a locked withdrawal is a data race, reported
// with both lines on every run (and one of the two updates can be lost: 100 + 50 - 30 ending at 150).
CONCLAB_SIM_TEST(BankTest, DepositRacingWithAWithdrawalIsNotLost) {
  lab::Bank bank({100});
  bool took = false;
  {
    conclab::sync::jthread depositor([&] { bank.deposit(0, 50); });
    took = bank.withdraw(0, 30);
  }  // joined
  EXPECT_TRUE(took) << "withdraw(0, 30) from an account holding at least 100 must succeed";
  EXPECT_EQ(bank.balance(0), 120)
      << "100, plus a deposit of 50, minus a withdrawal of 30 that ran at the same time, must be 120, not "
      << bank.balance(0) << ": one update overwrote the other. Every read and write of a balance, in deposit() "
      << "too, must hold that account's lock. Read \"Lock scope: too narrow, too wide\" in " << kLesson << '.';
}

TEST(BankTest, TotalIsConservedWhileTransfersRun) {
  // Four threads move small amounts between eight accounts (balances are large, so none runs dry), and
  // an auditor calls total() over and over. Every total must be the opening total: a total() that adds
  // up accounts one at a time, while a transfer debits one it already counted and credits one it has
  // not counted yet, sees money in flight counted twice or not at all. (That mistake needs an audit to
  // land in the middle of a transfer, so this test catches it in most runs, not all; nothing races, so
  // ThreadSanitizer cannot help; the sim test TotalNeverSeesATransferHalfDone catches it every run. A
  // correct bank passes every run.) Under the watchdog: transfers in opposite directions can deadlock.
  static constexpr int kAccounts = 8;
  static constexpr int kMovers = 4;
  static constexpr int kTransfers = 10'000;
  static constexpr lab::Money kOpening = 1'000'000;
  static constexpr lab::Money kTotal = kOpening * kAccounts;
  struct State {
    lab::Bank bank{std::vector<lab::Money>(kAccounts, kOpening)};
    // Written by the auditor only, read after run_threads has joined it.
    std::int64_t audits = 0;
    std::int64_t wrong_audits = 0;
    lab::Money first_wrong = kTotal;
    conclab::sync::atomic<int> movers_running{kMovers};
    conclab::sync::atomic<int> refused{0};
  };
  auto state = std::make_shared<State>();
  const bool returned = conclab::returns_in_time([state] {
    State& st = *state;
    conclab::run_threads(kMovers + 1, [&](int i) {
      if (i == kMovers) {  // the auditor: audits until the last mover is done, and once more after that
        bool last = false;
        while (!last) {
          last = st.movers_running.load() == 0;
          const lab::Money total = st.bank.total();
          ++st.audits;
          if (total != kTotal && st.wrong_audits++ == 0) st.first_wrong = total;
        }
        return;
      }
      std::uint32_t x = 2'463'534'242u + static_cast<std::uint32_t>(i);  // xorshift32: same sequence every run
      for (int k = 0; k < kTransfers; ++k) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        const lab::AccountId from = x % kAccounts;
        const lab::AccountId to = (from + 1 + (x >> 8) % (kAccounts - 1)) % kAccounts;  // never from: its own test
        const lab::Money amount = 1 + static_cast<lab::Money>((x >> 16) % 10);
        if (!st.bank.transfer(from, to, amount)) st.refused.fetch_add(1);
      }
      st.movers_running.fetch_sub(1);
    });
  }, kPatience);
  ASSERT_TRUE(returned)
      << "four threads ran transfers between 8 accounts while a fifth called total(), and they had not finished "
      << "after " << kPatience.count() / 1000.0 << " s (a correct bank takes well under one): they are blocked for good. "
      << "Either two transfers going opposite ways each hold one account and wait for the other (lock them with "
      << "sync::scoped_lock(a, b)), or total() takes the account locks in an order that closes a cycle with "
      << "transfer(). Read \"Locking several mutexes\" in " << kLesson
      << '.';
  const State& st = *state;
  EXPECT_EQ(st.wrong_audits, 0)
      << st.wrong_audits << " of " << st.audits << " calls to total() made while transfers ran returned a wrong "
      << "total (the first: " << st.first_wrong << "), but no money ever entered or left the bank: it must always "
      << "be " << kTotal << ". total() added up the accounts while a transfer was half done (debited one, not yet "
      << "credited the other, or the reverse). With one mutex per account, total() must hold every account's "
      << "mutex while it adds up. Read \"Locking several mutexes\" in " << kLesson << '.';
  EXPECT_EQ(st.refused.load(), 0) << kRefusedMessage;
  EXPECT_EQ(st.bank.total(), kTotal) << "after all transfers finished, the total must still be " << kTotal << ". "
                                     << balances_of(st.bank);
  for (lab::AccountId id = 0; id < kAccounts; ++id) {
    EXPECT_GE(st.bank.balance(id), 0) << "account " << id << " went negative. " << balances_of(st.bank);
  }
}

}  // namespace
