// Drill 08.04 building-h2o, IMPROVED: one mutex, one condition variable, and the molecule as a set of open
// slots.
//
// What changed from naive, and why: naive let every atom release as soon as there was room for it in the
// current molecule, so an oxygen that arrived alone released at once, before any hydrogen had come: the
// output looked right (LeetCode's judge only reads the output) but nobody had bonded with anybody. Here an
// arriving atom only counts itself as waiting. A molecule is formed, under the mutex, when two hydrogens and
// one oxygen are waiting AND the previous molecule has finished: that opens two hydrogen slots and one oxygen
// slot. Each waiter takes a slot (the predicate wait re-checks after every wakeup, spurious or not), releases
// OUTSIDE the lock, then counts itself out of `bonding_`. The last one out forms the next molecule if one is
// waiting. So a release happens only once its whole molecule is there, and the next molecule forms only when
// the three atoms of this one have returned from their releases.
//
// The price: every change wakes every waiter (notify_all: waiters of both kinds share one condition variable,
// and notify_one could wake a hydrogen when the open slot is the oxygen's), and all the bookkeeping is
// ours to get right. The final version lets two semaphores and a barrier keep the same rules.
//
// Lesson: modules/08-interview/03-counting-threads.md ("Slots under a mutex").
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
