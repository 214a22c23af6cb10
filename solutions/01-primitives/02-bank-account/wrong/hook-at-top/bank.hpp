// Lab 01.02 bank account, WRONG (hook-at-top): the starter with the hook moved to the top of withdraw()
// and transfer(), as the TODO says, and nothing else changed: the check and the act are still two
// critical sections.
//
// Why it looks right: in the default and TSan builds the racing tests pause the first call at the hook
// and run the second one in that pause. With the hook at the top, the paused call has not checked yet:
// the other call runs whole, then the paused one checks, sees the money gone and refuses. Every access
// is locked, so ThreadSanitizer is silent too. Why it is wrong: the lock is still free between
// `balance(id) < amount` and `balances_[id] -= amount`; the hook simply no longer sits in that gap. Two
// real withdrawals can both check 100 and both take it. In the sim build the explorer preempts a thread
// in the gap, hook or no hook: WithdrawalsRacingForTheSameMoneyCannotOverdraw and
// TransfersRacingForTheSameMoneyCannotOverdraw fail there, on every run.
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
    call_interleave_hook();                  // moved to the top, as the TODO says
    if (balance(id) < amount) return false;  // lock, read, unlock
    sync::lock_guard lock(mu_);              // a second critical section: the gap is still here
    balances_[id] -= amount;
    return true;
  }

  bool transfer(AccountId from, AccountId to, Money amount) {
    call_interleave_hook();
    if (balance(from) < amount) return false;
    sync::lock_guard lock(mu_);
    balances_[from] -= amount;
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
