// Lab 01.02 bank account, NAIVE: every access is locked, but the check and the act are not one step.
//
// The mistake people really make, and why it looks right: there is a mutex, and not one read or write
// of a balance happens without it, so there is no data race (ThreadSanitizer has nothing to report).
// withdraw() even reuses balance(), which is tidy. But "is there enough?" and "take it" are two
// separate critical sections, and between them the lock is free. Two withdrawals of 100 from an
// account holding 100 can both see 100, and both take it: the account ends at -100. This is a race
// condition without a data race: the invariant (balance >= 0) spans two steps, so the lock must too.
// The hook tests catch it in every build (the hook sits in the gap), and the explorer catches it in the
// sim build on every run (it preempts a thread between the two critical sections).
//
// Lesson: modules/01-primitives/01-mutexes-and-locks.md ("Check-then-act").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
#include <utility>
#include <vector>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::mutex is std::mutex), instrumented in the sim build

using AccountId = std::size_t;
using Money = std::int64_t;

// Bank, as the lab states it (see labs/01-primitives/02-bank-account/bank.hpp for the full contract).
// BROKEN on purpose: withdraw() and transfer() can overdraw an account when they race.
class Bank {
 public:
  explicit Bank(std::vector<Money> opening_balances, std::function<void()> interleave_hook = {})
      : balances_(std::move(opening_balances)), interleave_hook_(std::move(interleave_hook)) {}
  Bank(const Bank&) = delete;
  Bank& operator=(const Bank&) = delete;

  std::size_t size() const { return balances_.size(); }  // fixed at construction

  Money balance(AccountId id) const {
    sync::lock_guard lock(mu_);
    return balances_[id];
  }

  void deposit(AccountId id, Money amount) {
    sync::lock_guard lock(mu_);
    balances_[id] += amount;
  }

  bool withdraw(AccountId id, Money amount) {
    if (balance(id) < amount) return false;  // check: locks, reads, unlocks
    call_interleave_hook();                  // the lock is free here: another withdrawal can run
    sync::lock_guard lock(mu_);
    balances_[id] -= amount;                 // act: on a balance that may have changed since the check
    return true;
  }

  bool transfer(AccountId from, AccountId to, Money amount) {
    if (balance(from) < amount) return false;  // check
    call_interleave_hook();                    // the same gap as in withdraw()
    sync::lock_guard lock(mu_);
    balances_[from] -= amount;                 // act: debit and credit together, so total() stays right
    balances_[to] += amount;
    return true;
  }

  Money total() const {
    sync::lock_guard lock(mu_);
    return std::accumulate(balances_.begin(), balances_.end(), Money{0});
  }

 private:
  void call_interleave_hook() const {
    if (interleave_hook_) interleave_hook_();
  }

  mutable sync::mutex mu_;  // guards balances_
  std::vector<Money> balances_;

  const std::function<void()> interleave_hook_;
};

}  // namespace lab
