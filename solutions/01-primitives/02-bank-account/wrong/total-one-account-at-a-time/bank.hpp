// Lab 01.02 bank account, WRONG (total-one-account-at-a-time): one mutex per account, transfers right
// (sync::scoped_lock over both accounts), and total() adds up balance(id) for each account in turn.
//
// Why it looks right: every read of a balance holds that account's lock, so ThreadSanitizer is silent,
// and no single transfer is ever seen half done. Why it is wrong: total() holds one lock at a time. It
// can read account 0 (100), let a transfer of that 100 from 0 to 1 run whole, then read account 1 (100):
// 200 in a bank that holds 100. "The sum at one instant" needs every account locked at once, in one
// order. A stress test catches it in most runs, not all; the explorer, on every run
// (TotalNeverSeesATransferHalfDone).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
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
      : accounts_(opening_balances.size()), interleave_hook_(std::move(interleave_hook)) {
    for (std::size_t i = 0; i < accounts_.size(); ++i) accounts_[i].balance = opening_balances[i];
  }
  Bank(const Bank&) = delete;
  Bank& operator=(const Bank&) = delete;

  std::size_t size() const { return accounts_.size(); }

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
    call_interleave_hook();
    Account& account = accounts_[id];
    sync::lock_guard lock(account.mu);
    if (account.balance < amount) return false;
    account.balance -= amount;
    return true;
  }

  bool transfer(AccountId from, AccountId to, Money amount) {
    call_interleave_hook();
    if (from == to) {
      const Account& account = accounts_[from];
      sync::lock_guard lock(account.mu);
      return account.balance >= amount;
    }
    Account& source = accounts_[from];
    Account& target = accounts_[to];
    sync::scoped_lock lock(source.mu, target.mu);
    if (source.balance < amount) return false;
    source.balance -= amount;
    target.balance += amount;
    return true;
  }

  Money total() const {
    Money sum = 0;
    for (AccountId id = 0; id < accounts_.size(); ++id) sum += balance(id);  // each under its own lock, in turn
    return sum;
  }

 private:
  struct alignas(64) Account {
    mutable sync::mutex mu;  // guards balance
    Money balance = 0;
  };

  void call_interleave_hook() const {
    if (interleave_hook_) interleave_hook_();
  }

  std::vector<Account> accounts_;

  const std::function<void()> interleave_hook_;
};

}  // namespace lab
