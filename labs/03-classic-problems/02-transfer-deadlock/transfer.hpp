// Lab 03.02: bank transfers that lock two accounts, without deadlock.
// Lesson: modules/03-classic-problems/02-deadlock.md   Check: ./conclab check 03.02   Play: ./conclab play 03.02
//
// Each lab::Account has its own mutex. Write transfer(), which moves money between two accounts, and total(),
// which adds up many accounts at one instant, so that:
//
//   - any number of threads can call them at once, on any accounts, in any direction: transfer(a, b) on one
//     thread and transfer(b, a) on another must both finish (no deadlock, on ANY schedule);
//   - a balance never goes negative: a transfer of more than `from` holds throws InsufficientFunds and changes
//     nothing; the money in all accounts together never changes;
//   - transfer(a, a, x) works: it changes nothing (and still refuses x > a.balance());
//   - no lock is held after transfer() returns OR throws;
//   - the callback of the 4-argument transfer() runs with no lock held (it may call balance() or transfer());
//   - total() sees every transfer wholly or not at all, whatever order it is given the accounts in.
//
// The obvious code (lock `from`, then lock `to`) passes every single-threaded test and deadlocks when two
// transfers go opposite ways. The sim tests run under the explorer, which tries every schedule of their threads
// and reports the deadlock with what each thread holds and waits for; the graded run also builds the tests with
// ThreadSanitizer, which reports two locks taken in both orders ("lock-order-inversion") even on a run that did
// not deadlock. Be the scheduler yourself first: `./conclab play 03.02`.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp): sync::mutex is
// std::mutex, sync::lock_guard is std::lock_guard, sync::scoped_lock is std::scoped_lock, sync::unique_lock is
// std::unique_lock. In the sim build they are instrumented so that the explorer can see every lock and unlock;
// write sync::, not std::, for them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
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
  friend void transfer(Account& from, Account& to, Money amount, const std::function<void(const Receipt&)>& on_done);
  friend Money total(std::span<Account* const> accounts);

  const AccountId id_;  // never changes
  mutable sync::mutex mu_;
  Money balance_;  // guarded by mu_; never negative
};

// Contract: any thread, any accounts, at any time. amount >= 0 (else std::invalid_argument, nothing locked).
// If `from` holds at least `amount`, moves it to `to`; otherwise throws InsufficientFunds and changes nothing.
// Balances never go negative, and the sum over all accounts never changes. from == to is allowed: a no-op that
// still refuses an amount larger than the balance. No lock is held when it returns or throws.
inline void transfer(Account& from, Account& to, Money amount) {
  if (amount < 0) throw std::invalid_argument("a transfer amount cannot be negative");
  // TODO(lab): hold BOTH accounts' locks while you check from.balance_ >= amount (else throw InsufficientFunds())
  // and move the money. Two threads may run transfer(a, b) and transfer(b, a) at once: if each takes its
  // `from` first, each can hold one lock and wait forever for the other. Take them in one global order (by
  // id), or both at once with sync::scoped_lock. And from == to is ONE mutex: locking it twice waits forever.
  // Throwing while you hold a lock is fine if an RAII guard (lock_guard, scoped_lock) holds it.
  (void)from;
  (void)to;
}

// transfer(), then on_done(receipt), where the receipt has the balances right after the money moved. If the
// transfer throws, on_done is not called.
inline void transfer(Account& from, Account& to, Money amount, const std::function<void(const Receipt&)>& on_done) {
  // TODO(lab): do the transfer and fill the receipt under the locks, but call on_done only once no lock is held:
  // it is the caller's code, and it may call from.balance() (which locks from's mutex) or transfer() itself.
  (void)from;
  (void)to;
  (void)amount;
  (void)on_done;
}

// The sum of the balances of `accounts` at one instant: a transfer between two of them is counted wholly before
// or wholly after, never half done, even while transfers run. The caller lists the accounts in any order.
// Precondition: no account appears twice.
inline Money total(std::span<Account* const> accounts) {
  // TODO(lab): hold every account's lock at once while you add up (one lock at a time lets a transfer slip in
  // between two reads). Which order do you take them in, so that a total and a transfer, or two totals, can
  // never wait for each other in a circle?
  (void)accounts;
  return 0;
}

}  // namespace lab
