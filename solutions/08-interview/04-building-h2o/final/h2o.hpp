// Drill 08.04 building-h2o, FINAL: two semaphores that admit the atoms of one molecule, and a barrier where
// they meet before anyone bonds.
//
// What changed from improved, and why: improved keeps the whole state machine (who is waiting, which slots are
// open, how many atoms are still bonding) under one mutex and wakes every waiter on every change. Here each
// rule is one primitive. A counting semaphore of 2 admits at most two hydrogens, a semaphore of 1 at most one
// oxygen, so at most one molecule's atoms are ever inside. A barrier of 3 holds the admitted atoms until all
// three are there (nobody bonds alone). An atom gives its permit back only AFTER its release callback
// returned, so the next molecule cannot gather, let alone bond, until this one has finished: the permits are
// the turnstile. No counter, no predicate, no notify to forget, and the three atoms of a molecule release in
// parallel instead of one after another under a lock.
//
// Why the next molecule cannot slip in: its barrier phase needs two hydrogen permits and the oxygen permit,
// and each of those is held by an atom of this molecule until its release has returned.
//
// What an expert would still do differently in production: nothing here bounds how long an atom waits (a
// hydrogen with no oxygen ever coming waits forever); a real pool of "atoms" would use try_acquire_for and
// arrive_and_drop to give up cleanly. And std::barrier is C++20: in C++17 the barrier is a mutex, a condition
// variable and a generation counter (improved's `bonding_` plays that part).
//
// Lesson: modules/08-interview/03-counting-threads.md ("The turnstile and the barrier").
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

  void hydrogen(std::function<void()> releaseHydrogen) {
    hydrogen_permits_.acquire();  // one of the molecule's two hydrogen places
    bond_.arrive_and_wait();      // wait for the other hydrogen and the oxygen
    releaseHydrogen();
    hydrogen_permits_.release();  // only now may a hydrogen of the next molecule come in
  }

  void oxygen(std::function<void()> releaseOxygen) {
    oxygen_permit_.acquire();  // the molecule's one oxygen place
    bond_.arrive_and_wait();   // wait for the two hydrogens
    releaseOxygen();
    oxygen_permit_.release();  // only now may the next oxygen come in
  }

 private:
  sync::counting_semaphore<2> hydrogen_permits_{2};  // held from admission until the release returned
  sync::binary_semaphore oxygen_permit_{1};           // the same for the oxygen
  sync::barrier<> bond_{3};                           // the three admitted atoms meet here
};

}  // namespace lab
