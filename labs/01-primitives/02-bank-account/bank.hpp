// Lab 01.02: a bank whose accounts many threads use at once.
// Lesson: modules/01-primitives/01-mutexes-and-locks.md   Check: ./conclab check 01.02
//
// Make withdraw() and transfer() safe when several threads move money at the same time:
//
//   - No account ever goes below zero: withdraw() and transfer() check the balance and refuse (return
//     false, change nothing) when there is not enough. Two withdrawals racing for the same money must
//     not both succeed.
//   - Money is never created or destroyed by a transfer: total() always equals the opening total plus
//     deposits minus successful withdrawals, and it must, even while transfers run.
//   - No deadlock, whatever transfers run at once (A -> B on one thread, B -> A on another).
//
// The starter locks every single read and write, and it is still wrong: look at withdraw(). Each step
// is safe on its own, but another thread can run *between* the check and the act. The racing tests
// make that happen on every run, in two ways: in the normal and TSan builds they pause one call at the
// interleave hook (see the contract below) and run the other in the pause; in the sim build they run
// under the explorer, which tries every schedule of the two threads, so it finds the gap wherever it
// is in your code, hook or no hook.
//
// Once it passes with one mutex for the whole bank, try the final design: one mutex per account, and
// sync::scoped_lock to take two at once in transfer(). `./conclab bench 01.02` shows what that buys.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp):
// sync::mutex is std::mutex, sync::lock_guard is std::lock_guard, sync::scoped_lock is std::scoped_lock.
// The one difference is in the sim build, where they are instrumented so that the explorer can try every
// schedule of your threads. Write sync::, not std::, for them: the explorer cannot see std's.
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

// Bank: a fixed set of accounts, numbered 0 .. size()-1, with balances in whole cents.
//
// Contract:
//   - Every method may be called from any thread, concurrently. Preconditions: ids < size(), amount > 0.
//   - withdraw(id, amount): if the account holds at least `amount`, takes it and returns true;
//     otherwise changes nothing and returns false.
//   - transfer(from, to, amount): if `from` holds at least `amount`, moves it to `to` and returns true;
//     otherwise changes nothing and returns false. from == to is allowed: it changes nothing, and
//     returns whether the account holds at least `amount`.
//   - total(): the sum of all balances at one instant, never a mix of before and after a transfer.
//   - Test hook: withdraw() and transfer() call the interleave hook (if one was given) at most once per
//     call, and never while holding a lock. A test blocks inside the hook to run another operation
//     "in the middle" of this one; calling it under a lock would make that other operation wait for a
//     lock the paused thread holds: a deadlock (and unknown code under a lock, Core Guidelines CP.22).
class Bank {
 public:
  explicit Bank(std::vector<Money> opening_balances, std::function<void()> interleave_hook = {})
      : balances_(std::move(opening_balances)), interleave_hook_(std::move(interleave_hook)) {}
  Bank(const Bank&) = delete;
  Bank& operator=(const Bank&) = delete;

  // The number of accounts is fixed at construction, so reading it needs no lock.
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
    // TODO(lab): this is check-then-act with the lock dropped in between. balance() locks and unlocks;
    // then another withdrawal can check the same balance and take the money; then this one takes it
    // again. The fix is the lock, not the hook: take ONE lock, and do the check and the act while you
    // hold it (call the hook before you take it, never under it). Moving only the hook does not close
    // the gap: the sim tests find it wherever the hook is.
    if (balance(id) < amount) return false;  // check
    call_interleave_hook();                  // another thread may run here
    sync::lock_guard lock(mu_);
    balances_[id] -= amount;  // act, on a balance that may have changed since the check
    return true;
  }

  bool transfer(AccountId from, AccountId to, Money amount) {
    call_interleave_hook();  // once, holding no lock
    // TODO(lab): if `from` holds at least `amount`, move it to `to` and return true; else return false.
    // The check, the debit and the credit must be one critical section: nobody may see (or spend)
    // money that has left `from` but not reached `to`. Mind from == to.
    static_cast<void>(from);  // delete these three lines once you use the arguments
    static_cast<void>(to);
    static_cast<void>(amount);
    return false;
  }

  Money total() const {
    sync::lock_guard lock(mu_);
    return std::accumulate(balances_.begin(), balances_.end(), Money{0});
  }

 private:
  void call_interleave_hook() const {
    if (interleave_hook_) interleave_hook_();
  }

  mutable sync::mutex mu_;  // guards balances_ (mutable: balance() and total() are const and still lock)
  std::vector<Money> balances_;

  const std::function<void()> interleave_hook_;  // set once, before any thread can call us
};

}  // namespace lab
