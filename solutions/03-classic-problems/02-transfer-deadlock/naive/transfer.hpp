// Lab 03.02 transfer-deadlock, NAIVE: transfer() locks `from`, then `to` (argument order), and total() locks the
// accounts in the order it is given them.
//
// The mistake people really make, and why it looks right: each account has its own mutex, a transfer needs
// both, so it takes both, one after the other, and holds them for the check and the two writes. Every access
// is under the right lock (ThreadSanitizer finds no data race), no balance goes negative, the money is
// conserved, and every single-threaded test passes. Two threads moving money the same way pass too. But
// transfer(a, b) and transfer(b, a) at the same time: the first locks a, the second locks b, and each waits
// for the lock the other holds, forever (a lock-order deadlock). transfer(a, a) is worse: it locks a's mutex
// twice, and a std::mutex is not recursive, so the thread waits for itself. total() over {b, a} while a
// transfer(a, b) runs is the same cycle as the first, between a total and a transfer.
//
// It rarely shows in a stress test: the window is the few instructions between the two locks. The explorer
// finds it on every run (TransferTest.OppositeTransfersDoNotDeadlock, `./conclab play 03.02` lets you make it
// happen yourself), and ThreadSanitizer reports the two orders (lock-order-inversion) even on a run that did
// not deadlock, as soon as both orders have been used once.
//
// Lesson: modules/03-classic-problems/02-deadlock.md.
#pragma once

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
// locks are held together for the check and both writes, taken in argument order (the bug of this version).
inline Receipt transfer_and_report(Account& from, Account& to, Money amount) {
  if (amount < 0) throw std::invalid_argument("a transfer amount cannot be negative");
  sync::lock_guard lock_from(from.mu_);
  sync::lock_guard lock_to(to.mu_);  // waits for `to` while holding `from`; from == to locks one mutex twice
  if (from.balance_ < amount) throw InsufficientFunds();  // both lock_guards unlock on the way out
  from.balance_ -= amount;
  to.balance_ += amount;
  return {from.id_, to.id_, amount, from.balance_, to.balance_};
}

// Contract (meant; this version breaks "any accounts, at any time"): any thread, any accounts, at any time. amount >= 0 (else std::invalid_argument, nothing locked).
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

// The sum of the balances of `accounts` at one instant: every lock is held at once while it adds. Locked in the
// order the caller listed them (the bug again: a total over {b, a} and a transfer(a, b) wait for each other).
// Precondition: no account appears twice.
inline Money total(std::span<Account* const> accounts) {
  std::vector<sync::unique_lock<sync::mutex>> locks;
  locks.reserve(accounts.size());
  for (Account* a : accounts) {  // in the caller's order: not the transfers' order
    locks.emplace_back(a->mu_, std::defer_lock);
    locks.back().lock();
  }
  Money sum = 0;
  for (const Account* a : accounts) sum += a->balance_;
  return sum;
}

}  // namespace lab
