// Lab 01.02 bank account, WRONG (self-transfer-scoped-lock): the final version without its `from == to`
// branch: transfer(1, 1, x) goes straight to sync::scoped_lock(source.mu, target.mu) with both the same mutex.
//
// Why it looks right: scoped_lock is the deadlock-free way to take two locks, so it seems safe for any two
// accounts, and every test that moves money between two different accounts passes, in every build, racing
// or not. Why it is wrong: scoped_lock(m, m) locks one mutex twice, which is undefined behaviour for a
// non-recursive std::mutex. libstdc++'s std::lock locks m, try_locks m (busy: this thread holds it), unlocks,
// and starts again, forever: transfer(1, 1, 60) never returns and burns a core. Caught by
// TransferToTheSameAccountChangesNothing, whose watchdog fails it with a message after a few seconds
// instead of letting the run hang. The fix: handle from == to first, under the one account's lock (the
// contract says it changes nothing and returns whether the balance covers the amount).
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
