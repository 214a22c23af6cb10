// Lab 01.02 bank account, FINAL: one mutex per account; transfer() takes its two with sync::scoped_lock.
//
// What changed from improved, and why: with one mutex for the whole bank, a transfer 0 -> 1 and a
// transfer 2 -> 3 queue behind each other although they share nothing. Now each account carries its
// own mutex, so operations on different accounts run in parallel and only operations that touch the
// same account wait for each other. Check and act still happen under the lock(s) of the account(s)
// involved, so nothing from the improved version's correctness is lost.
//
// Two locks bring the classic deadlock: thread A locks account 0 then waits for 1, while thread B
// locks 1 then waits for 0. sync::scoped_lock(a, b), which is std::scoped_lock, locks both with
// std::lock's deadlock-avoidance algorithm (libstdc++: lock one, try_lock the other, and if that fails
// release everything and start again from the one that was busy), so it never waits for one mutex
// while holding the other. The sim test OppositeTransfersNeverDeadlockOnAnySchedule tries every
// schedule of 0 -> 1 against 1 -> 0 (two nested lock_guards deadlock on one of them). Two more traps
// come with per-account locks:
//   - from == to would lock one mutex twice: undefined behaviour (with a std::mutex it never returns).
//     It is handled first, under the one lock.
//   - total() must not add accounts up one lock at a time: a transfer could debit an account already
//     counted and credit one not yet counted, and the total would be off by the amount in flight. It
//     locks every account, in index order, and holds them all while it adds up.
// Lock order: total() takes account mutexes in index order (which is also address order: the accounts
// live in one vector), holding each while taking the next. transfer() holds two at most and never waits
// while holding one (see above), so it cannot close a cycle with total() or with another transfer().
//
// Each Account is aligned to its own 64-byte cache line: neighbouring accounts locked by different
// threads would otherwise share a line, and every lock of one would evict the other from the other
// core's cache (false sharing, modules/00-foundations/04-the-hardware.md).
//
// Measured (lesson 01 has the table and the command): on one thread this version is about 2x slower
// than one big lock, because a transfer takes two mutexes instead of one; with 2 to 8 threads on this
// 2-core machine it is about 2x faster, because two transfers rarely share an account.
//
// What an expert would still do differently in production: a real ledger keeps every operation as an
// append-only journal entry in a database transaction and derives balances, so "total at one instant"
// is a consistent snapshot the storage engine provides, not all locks held at once (total() here
// stops the whole bank while it runs). The interleave hook is a test seam: production code would not
// pay even its null check, e.g. by making the hook a template parameter that defaults to a no-op.
// Balances would also be checked for overflow, and ids and amounts validated at the API boundary.
//
// Lesson: modules/01-primitives/01-mutexes-and-locks.md ("Locking several mutexes").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::mutex is std::mutex), instrumented in the sim build

using AccountId = std::size_t;
using Money = std::int64_t;

// Bank: a fixed set of accounts; every method may be called from any thread, concurrently.
// withdraw()/transfer() refuse (return false, change nothing) when the balance is short; transfer with
// from == to changes nothing. total() is the sum at one instant (it holds every account's lock).
// The interleave hook is called at most once per withdraw()/transfer(), with no lock held.
// Lock order: account mutexes in index order; transfer() takes its two through sync::scoped_lock.
class Bank {
 public:
  explicit Bank(std::vector<Money> opening_balances, std::function<void()> interleave_hook = {})
      : accounts_(opening_balances.size()), interleave_hook_(std::move(interleave_hook)) {
    // No other thread can see the bank before the constructor returns: no locks needed yet.
    for (std::size_t i = 0; i < accounts_.size(); ++i) accounts_[i].balance = opening_balances[i];
  }
  Bank(const Bank&) = delete;
  Bank& operator=(const Bank&) = delete;

  std::size_t size() const { return accounts_.size(); }  // the vector is never resized

  Money balance(AccountId id) const {
    const Account& account = accounts_[id];
    sync::lock_guard lock(account.mu);
    return account.balance;
  }

  void deposit(AccountId id, Money amount) {
    Account& account = accounts_[id];
    sync::lock_guard lock(account.mu);
    account.balance += amount;
  }

  bool withdraw(AccountId id, Money amount) {
    call_interleave_hook();  // before locking: never run unknown code under a lock
    Account& account = accounts_[id];
    sync::lock_guard lock(account.mu);
    if (account.balance < amount) return false;  // check ...
    account.balance -= amount;                   // ... and act, under the same lock
    return true;
  }

  bool transfer(AccountId from, AccountId to, Money amount) {
    call_interleave_hook();
    if (from == to) {  // scoped_lock(m, m) would lock one mutex twice
      const Account& account = accounts_[from];
      sync::lock_guard lock(account.mu);
      return account.balance >= amount;
    }
    Account& source = accounts_[from];
    Account& target = accounts_[to];
    sync::scoped_lock lock(source.mu, target.mu);  // both or neither; no lock-order deadlock
    if (source.balance < amount) return false;
    source.balance -= amount;
    target.balance += amount;
    return true;
  }

  Money total() const {
    std::vector<sync::unique_lock<sync::mutex>> locks;
    locks.reserve(accounts_.size());
    for (const Account& account : accounts_) locks.emplace_back(account.mu);  // index order
    Money sum = 0;
    for (const Account& account : accounts_) sum += account.balance;
    return sum;
  }  // unlocked in reverse order as `locks` is destroyed

 private:
  // One account on its own cache line (see the top of the file).
  struct alignas(64) Account {
    mutable sync::mutex mu;  // guards balance
    Money balance = 0;
  };

  void call_interleave_hook() const {
    if (interleave_hook_) interleave_hook_();
  }

  std::vector<Account> accounts_;  // the vector itself never changes after construction; see Account::mu

  const std::function<void()> interleave_hook_;  // set before any thread can call us; never changed
};

}  // namespace lab
