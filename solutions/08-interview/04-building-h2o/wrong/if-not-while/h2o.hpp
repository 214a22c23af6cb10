// Drill 08.04 building-h2o, WRONG (if-not-while): improved's slots, but the waiter sleeps with `if`.
//
// Why it looks right: a waiter sleeps only when its kind has no open slot, and slots only open with a notify,
// so surely a woken waiter has one. Why it is wrong: a wait may return with no notify at all (a spurious
// wakeup, which the standard allows), and notify_all wakes every waiter of both kinds while there may be fewer
// slots than waiters. The `if` does not look again: the waiter takes a slot that is not there and releases
// before its molecule exists. Caught by H2OTest.OneMoleculeBondsOnlyWhenAllThreeAreThere (the explorer wakes the
// first hydrogen spuriously). The fix: `while`, or the predicate form of wait().
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// H2O: 3n threads, 2n call hydrogen() and n call oxygen(), each once, in any order and at any time.
// Each call blocks until its atom is part of a complete molecule (two hydrogen() calls and one oxygen()
// call that no earlier molecule took), then calls its release callback once and returns. The releases of
// one molecule all return before any release of the next molecule begins.
class H2O {
 public:
  H2O() = default;
  H2O(const H2O&) = delete;
  H2O& operator=(const H2O&) = delete;

  void hydrogen(std::function<void()> releaseHydrogen) { bond(hydrogen_, releaseHydrogen); }
  void oxygen(std::function<void()> releaseOxygen) { bond(oxygen_, releaseOxygen); }

 private:
  struct Kind {
    int waiting = 0;  // arrived, not yet in a molecule
    int slots = 0;    // open places in the current molecule
  };

  void bond(Kind& me, const std::function<void()>& release) {
    sync::unique_lock lock(mu_);
    ++me.waiting;
    form_molecule_if_ready();
    if (me.slots <= 0) cv_.wait(lock);  // BUG: not re-checked after the wakeup
    --me.slots;
    lock.unlock();
    release();  // outside the lock: the three atoms of a molecule may release at the same time
    lock.lock();
    if (--bonding_ == 0) form_molecule_if_ready();
  }

  // Called with mu_ held.
  void form_molecule_if_ready() {
    if (bonding_ == 0 && hydrogen_.waiting >= 2 && oxygen_.waiting >= 1) {
      hydrogen_.waiting -= 2;
      oxygen_.waiting -= 1;
      hydrogen_.slots = 2;
      oxygen_.slots = 1;
      bonding_ = 3;
      cv_.notify_all();  // the waiters of both kinds share cv_: wake them all, each re-checks its own slots
    }
  }

  sync::mutex mu_;
  Kind hydrogen_;    // guarded by mu_
  Kind oxygen_;      // guarded by mu_
  int bonding_ = 0;  // guarded by mu_: atoms of the current molecule that have not finished their release
  sync::condition_variable cv_;
};

}  // namespace lab
