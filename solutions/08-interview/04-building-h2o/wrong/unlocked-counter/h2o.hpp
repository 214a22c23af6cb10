// Drill 08.04 building-h2o, WRONG (unlocked-counter): improved, but the count of atoms still releasing is
// decremented without the mutex, "since it is only a counter".
//
// Why it looks right: the decrement is one statement, and the lock is taken only when the count reaches zero,
// which saves a lock per atom. Why it is wrong: the three atoms of a molecule release at the same time and
// then decrement the same plain int together: a data race (undefined behaviour), and in practice a lost
// decrement, after which the count never reaches zero and no molecule ever forms again. Caught by
// H2OTest.OneMoleculeBondsOnlyWhenAllThreeAreThere: the explorer's plain-memory checker reports the two
// decrements with both lines. The fix: lock first, then decrement (or make it an atomic, and still lock to
// form the next molecule).
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
    cv_.wait(lock, [&] { return me.slots > 0; });  // re-checked after every wakeup
    --me.slots;
    lock.unlock();
    release();  // outside the lock: the three atoms of a molecule may release at the same time
    if (--bonding_ == 0) {  // BUG: a plain int, decremented by the three atoms at once without mu_
      lock.lock();
      form_molecule_if_ready();
    }
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
  int bonding_ = 0;  // (meant to be guarded by mu_): atoms of the current molecule that have not finished their release
  sync::condition_variable cv_;
};

}  // namespace lab
