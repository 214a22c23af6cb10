// Lab 01.02 bank account, IMPROVED: one lock for the whole bank, held from the check through the act.
//
// What changed from naive, and why: withdraw() and transfer() take mu_ once and keep it while they
// check the balance, debit and credit. No other operation can run between the check and the act, so
// the answer to "is there enough?" is still true when the money is taken: two withdrawals racing for
// the same 100 are serialised, and the second one sees 0 and refuses. The test hook is called before
// the lock is taken, never under it (Core Guidelines CP.22: no unknown code under a lock).
//
// The locking is annotated: under clang's -Wthread-safety (the clang-tsa preset) the compiler proves
// that balances_ is only touched with mu_ held.
//
// The price: every operation on any account waits for every other one. Two transfers between four
// different accounts could run side by side, but they queue on mu_. The final version gives each
// account its own mutex.
//
// Lesson: modules/01-primitives/01-mutexes-and-locks.md ("Check-then-act").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
#include <utility>
#include <vector>

#include "conclab/annotated_mutex.hpp"

namespace lab {

using AccountId = std::size_t;
using Money = std::int64_t;

// Bank: a fixed set of accounts; every method may be called from any thread, concurrently.
// withdraw()/transfer() refuse (return false, change nothing) when the balance is short; transfer with
// from == to changes nothing. total() is the sum at one instant. The interleave hook is called at most
// once per withdraw()/transfer(), with no lock held. One mutex, mu_, guards every balance.
class Bank {
 public:
  explicit Bank(std::vector<Money> opening_balances, std::function<void()> interleave_hook = {})
      : size_(opening_balances.size()),
        balances_(std::move(opening_balances)),
        interleave_hook_(std::move(interleave_hook)) {}
  Bank(const Bank&) = delete;
  Bank& operator=(const Bank&) = delete;

  std::size_t size() const { return size_; }

  Money balance(AccountId id) const CONCLAB_EXCLUDES(mu_) {
    conclab::MutexLock lock(mu_);
    return balances_[id];
  }

  void deposit(AccountId id, Money amount) CONCLAB_EXCLUDES(mu_) {
    conclab::MutexLock lock(mu_);
    balances_[id] += amount;
  }

  bool withdraw(AccountId id, Money amount) CONCLAB_EXCLUDES(mu_) {
    call_interleave_hook();  // before locking: never run unknown code under a lock
    conclab::MutexLock lock(mu_);
    if (balances_[id] < amount) return false;  // check ...
    balances_[id] -= amount;                   // ... and act, in one critical section
    return true;
  }

  bool transfer(AccountId from, AccountId to, Money amount) CONCLAB_EXCLUDES(mu_) {
    call_interleave_hook();
    conclab::MutexLock lock(mu_);
    if (balances_[from] < amount) return false;
    balances_[from] -= amount;  // from == to needs no special case: this and the next line cancel out
    balances_[to] += amount;
    return true;
  }

  Money total() const CONCLAB_EXCLUDES(mu_) {
    conclab::MutexLock lock(mu_);
    return std::accumulate(balances_.begin(), balances_.end(), Money{0});
  }

 private:
  void call_interleave_hook() const {
    if (interleave_hook_) interleave_hook_();
  }

  const std::size_t size_;  // fixed at construction: read without the lock

  mutable conclab::Mutex mu_;
  std::vector<Money> balances_ CONCLAB_GUARDED_BY(mu_);

  const std::function<void()> interleave_hook_;  // set before any thread can call us; never changed
};

}  // namespace lab
