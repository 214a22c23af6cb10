// Lab 01.02 bank account, WRONG (deposit-without-lock): the final version, with deposit() adding to the
// balance without taking the account's lock.
//
// Why it looks right: the lab is about overdrafts, and a deposit can never overdraw: it only adds. Every
// graded test that calls deposit() calls it from one thread, so they all pass, and ThreadSanitizer has
// nothing to compare the unlocked write with. Why it is wrong: `account.balance += amount` is a read, an
// add and a write of a plain int64. A withdraw() or transfer() on the same account runs under the lock, but
// the lock protects only against threads that take it too: this write is unordered with theirs, a data race
// (undefined behaviour), and in practice one of the two updates can be lost (deposit reads 100, the
// withdrawal writes 70, the deposit writes 150: the withdrawal's 30 came back). Caught every run by the sim
// test DepositRacingWithAWithdrawalIsNotLost, whose explorer checks every plain access by happens-before
// and names both lines. The fix: every access to a balance, reads included, under that account's lock.
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
    account.balance += amount;  // only adds: cannot overdraw, so no lock (the bug)
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
