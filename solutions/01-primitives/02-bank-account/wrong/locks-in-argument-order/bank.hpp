// Lab 01.02 bank account, WRONG (locks-in-argument-order): one mutex per account, and transfer() locks
// them the obvious way: first `from`, then `to`, with two lock_guards.
//
// Why it looks right: check, debit and credit happen with both accounts locked, so there is no overdraft
// and no money in flight, and a transfer never locks more than two accounts. Most runs of a stress test
// finish. Why it is wrong: the lock order depends on the arguments. transfer(0, 1) holds 0 and waits for
// 1 while transfer(1, 0) holds 1 and waits for 0: neither can go on, ever (a deadlock). The explorer
// finds that schedule on every run (OppositeTransfersNeverDeadlockOnAnySchedule). The fix: take both
// with sync::scoped_lock(a, b), or always lock the lower index first.
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
    sync::lock_guard lock_from(source.mu);  // first the account the money leaves...
    sync::lock_guard lock_to(target.mu);    // ...then the one it goes to: the order depends on the call
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
