// Drill 08.04 building-h2o, WRONG (notify-one): improved, but forming a molecule wakes one waiter.
//
// Why it looks right: "one molecule formed, wake someone to take it"; notify_one is cheaper than waking the
// whole crowd. Why it is wrong: a molecule opens THREE slots (or two, when the thread that formed it takes its
// own), and the waiters of both kinds share one condition variable: one wakes, the others sleep on next to
// open slots, and nobody will notify again. Caught by H2OTest.OneMoleculeBondsOnlyWhenAllThreeAreThere: the
// explorer reports the sleeping hydrogen as a lost wakeup. The fix: notify_all (or one condition variable per
// kind, notified once per open slot).
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
      cv_.notify_one();  // BUG: two or three atoms have to wake, and this wakes one
    }
  }

  sync::mutex mu_;
  Kind hydrogen_;    // guarded by mu_
  Kind oxygen_;      // guarded by mu_
  int bonding_ = 0;  // guarded by mu_: atoms of the current molecule that have not finished their release
  sync::condition_variable cv_;
};

}  // namespace lab
