// Lab 03.02 transfer-deadlock, WRONG (total-in-given-order): transfers use sync::scoped_lock, and total() locks
// every account at once, in the order the caller listed them.
//
// Why it looks right: scoped_lock made the transfers safe in any order, total() holds every lock while it adds
// (a consistent snapshot), and a total running against transfers never deadlocks: a transfer inside std::lock
// never waits while holding a lock, so it lets go and lets the total finish. Why it is wrong: two totals. One
// over {a, b} and one over {b, a} each lock their first account and wait for the other's (scoped_lock cannot
// help: it takes a fixed number of mutexes, not a run-time list). The explorer reports the deadlock on every run
// (TransferTest.TwoTotalsInOppositeOrdersDoNotDeadlock). The fix: sort the accounts by id before locking them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <mutex>  // std::defer_lock
#include <span>
#include <stdexcept>
#include <vector>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

using Money = std::int64_t;
using AccountId = std::uint64_t;

// Thrown by transfer() when `from` holds less than the amount. Nothing changed, and no lock is held.
class InsufficientFunds : public std::runtime_error {
 public:
  InsufficientFunds() : std::runtime_error("insufficient funds") {}
};

// What a transfer did, for the caller's callback: the balances right after the money moved.
struct Receipt {
  AccountId from = 0;
  AccountId to = 0;
  Money amount = 0;
  Money from_balance_after = 0;
  Money to_balance_after = 0;
};

// Account: an id that never changes, and a balance guarded by the account's own mutex.
// Contract: balance() may be called from any thread at any time. Accounts are neither copied nor moved (the
// mutex pins them), and the ids of accounts that take part in the same transfers and totals are distinct.
class Account {
 public:
  Account(AccountId id, Money opening_balance) : id_(id), balance_(opening_balance) {
    if (opening_balance < 0) throw std::invalid_argument("an account cannot open with a negative balance");
  }
  Account(const Account&) = delete;
  Account& operator=(const Account&) = delete;

  AccountId id() const noexcept { return id_; }

  Money balance() const {
    sync::lock_guard lock(mu_);
    return balance_;
  }

 private:
  friend void transfer(Account& from, Account& to, Money amount);
  friend Receipt transfer_and_report(Account& from, Account& to, Money amount);
  friend Money total(std::span<Account* const> accounts);

  const AccountId id_;  // never changes: the lock order
  mutable sync::mutex mu_;
  Money balance_;  // guarded by mu_; never negative
};

// Moves `amount` from `from` to `to` as one step, and returns the balances right after it. The two accounts'
// locks are held together for the check and both writes, and taken with std::lock's back-off, so transfers in
// opposite directions cannot deadlock. from == to: checks the funds the same way and changes nothing.
inline Receipt transfer_and_report(Account& from, Account& to, Money amount) {
  if (amount < 0) throw std::invalid_argument("a transfer amount cannot be negative");
  if (&from == &to) {  // one mutex: scoped_lock(m, m) would lock it, find it busy (ours) and retry forever
    sync::lock_guard lock(from.mu_);
    if (from.balance_ < amount) throw InsufficientFunds();  // the lock_guard unlocks on the way out
    return {from.id_, to.id_, amount, from.balance_, to.balance_};
  }
  sync::scoped_lock both(from.mu_, to.mu_);  // std::lock inside: never waits while holding one of them
  if (from.balance_ < amount) throw InsufficientFunds();  // scoped_lock's destructor unlocks both
  from.balance_ -= amount;
  to.balance_ += amount;
  return {from.id_, to.id_, amount, from.balance_, to.balance_};
}

// Contract: any thread, any accounts, at any time. amount >= 0 (else std::invalid_argument, nothing locked).
// If `from` holds at least `amount`, moves it to `to`; otherwise throws InsufficientFunds and changes nothing.
// Balances never go negative, and the sum over all accounts never changes. from == to is allowed: a no-op that
// still refuses an amount larger than the balance. No lock is held when it returns or throws.
inline void transfer(Account& from, Account& to, Money amount) { transfer_and_report(from, to, amount); }

// transfer(), then on_done(receipt) with NO lock held: on_done is the caller's code, which may read balances or
// make transfers of its own (or block), and under our locks that would be a self-deadlock or worse. If the
// transfer throws, on_done is not called.
inline void transfer(Account& from, Account& to, Money amount, const std::function<void(const Receipt&)>& on_done) {
  const Receipt receipt = transfer_and_report(from, to, amount);  // every lock released here
  if (on_done) on_done(receipt);
}

// The sum of the balances of `accounts` at one instant: every lock is held at once while it adds, so a transfer
// is either wholly before the sum or wholly after it. The locks are taken in increasing id order, whatever order
// the caller listed them in: two totals, or a total and a transfer that locks by id, then wait for each other
// only in that one direction, never in a cycle (and a transfer in std::lock never waits while holding a lock).
// Precondition: no account appears twice.
inline Money total(std::span<Account* const> accounts) {
  std::vector<Account*> by_id(accounts.begin(), accounts.end());  // BUG: not sorted; the caller's order
  std::vector<sync::unique_lock<sync::mutex>> locks;
  locks.reserve(by_id.size());
  for (Account* a : by_id) {  // lowest id first, each held until we return
    locks.emplace_back(a->mu_, std::defer_lock);
    locks.back().lock();
  }
  Money sum = 0;
  for (const Account* a : by_id) sum += a->balance_;
  return sum;
}

}  // namespace lab
