// Lab 01.02 bank account, WRONG (withdraw-then-deposit): withdraw() is right (check and act under one
// lock), and transfer() reuses it: withdraw from `from`, then deposit into `to`.
//
// Why it looks right: no overdraft is possible (the withdrawal checks and debits under the lock), no
// money is lost (the deposit always follows), every access is locked (ThreadSanitizer is silent), and
// the hook is called once per call, by withdraw(), holding no lock. Why it is wrong: the debit and the
// credit are two critical sections. Between them the lock is free and the 100 is in neither account,
// so a total() that runs there sees 100 missing: "the sum of all balances at one instant" is broken.
// A stress test lands an audit in that gap only now and then; the explorer puts it there on every run
// (TotalNeverSeesATransferHalfDone).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
#include <utility>
#include <vector>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

using AccountId = std::size_t;
using Money = std::int64_t;

class Bank {
 public:
  explicit Bank(std::vector<Money> opening_balances, std::function<void()> interleave_hook = {})
      : balances_(std::move(opening_balances)), interleave_hook_(std::move(interleave_hook)) {}
  Bank(const Bank&) = delete;
  Bank& operator=(const Bank&) = delete;

  std::size_t size() const { return balances_.size(); }

  Money balance(AccountId id) const {
    sync::lock_guard lock(mu_);
    return balances_[id];
  }

  void deposit(AccountId id, Money amount) {
    sync::lock_guard lock(mu_);
    balances_[id] += amount;
  }

  bool withdraw(AccountId id, Money amount) {
    call_interleave_hook();
    sync::lock_guard lock(mu_);
    if (balances_[id] < amount) return false;
    balances_[id] -= amount;
    return true;
  }

  bool transfer(AccountId from, AccountId to, Money amount) {
    if (!withdraw(from, amount)) return false;  // check and debit: one critical section
    deposit(to, amount);                        // credit: another; in between the money is nowhere
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
