// Lab 03.02 transfer-deadlock, WRONG (order-by-balance): transfer() locks the richer account first, and breaks
// ties by id.
//
// Why it looks right: "always lock in one order" is the rule, and richer-first is an order: at any moment it
// says which of two accounts comes first, whichever way the money goes, and the id settles ties. Opposite
// transfers between two accounts pass, because both calls look at the same two balances. Why it is wrong: a lock
// order only prevents a cycle if every thread sees the SAME order the whole time it holds a lock, and balances
// change with every transfer. transfer(a, b) reads the balances (a richer: a first), then transfer(a, c) makes a
// poorer than b, then transfer(b, a) reads them (b richer: b first): transfer(a, b) holds a and waits for b,
// transfer(b, a) holds b and waits for a. The explorer finds that schedule (two preemptions) on every run
// (TransferTest.TransfersWhileBalancesChangeDoNotDeadlock). ThreadSanitizer reports the two orders in most
// runs of the tests that move money both ways, but not in every one, so only the explorer's catch is claimed.
// The fix: a key that never changes, the id.
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
// locks are held together for the check and both writes, the lower id first, so transfers in opposite
// directions cannot deadlock. from == to: checks the funds the same way and changes nothing.
inline Receipt transfer_and_report(Account& from, Account& to, Money amount) {
  if (amount < 0) throw std::invalid_argument("a transfer amount cannot be negative");
  if (&from == &to) {  // one mutex: locking it a second time would wait for ourselves forever
    sync::lock_guard lock(from.mu_);
    if (from.balance_ < amount) throw InsufficientFunds();  // the lock_guard unlocks on the way out
    return {from.id_, to.id_, amount, from.balance_, to.balance_};
  }
  const Money from_balance = from.balance();
  const Money to_balance = to.balance();
  const bool from_first =  // BUG: the richer first (ties by id): a balance can change before we lock
      from_balance > to_balance || (from_balance == to_balance && from.id_ < to.id_);
  Account& first = from_first ? from : to;
  Account& second = from_first ? to : from;
  sync::lock_guard lock_first(first.mu_);
  sync::lock_guard lock_second(second.mu_);
  if (from.balance_ < amount) throw InsufficientFunds();
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
// only in that one direction, never in a cycle: transfer() takes its two in the same order.
// Precondition: no account appears twice.
inline Money total(std::span<Account* const> accounts) {
  std::vector<Account*> by_id(accounts.begin(), accounts.end());
  std::sort(by_id.begin(), by_id.end(), [](const Account* a, const Account* b) { return a->id_ < b->id_; });
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
