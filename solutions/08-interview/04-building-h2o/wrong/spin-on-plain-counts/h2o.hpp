// Drill 08.04 building-h2o, WRONG (spin-on-plain-counts): count the arrivals in plain ints and spin until the
// molecule is there.
//
// Why it looks right: each atom counts itself in and loops until there are two hydrogens and an oxygen; no
// lock, no condition variable, and on x86 an int store is "atomic anyway". Why it is wrong: several threads
// read and write the same plain ints with nothing ordering them: a data race, undefined behaviour (the
// compiler may keep the count in a register and spin forever on a stale copy, and `++` loses updates). Caught
// by H2OTest.OneMoleculeBondsOnlyWhenAllThreeAreThere: the explorer's plain-memory checker reports the first
// two unordered accesses, with both lines. The fix: a mutex and a condition variable, or semaphores and a
// barrier (and never a spin on a plain variable).
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class H2O {
 public:
  void hydrogen(std::function<void()> releaseHydrogen) {
    ++hydrogens_;  // BUG: a plain int, written by several threads at once
    while (hydrogens_ < 2 || oxygens_ < 1) sync::this_thread::yield();
    releaseHydrogen();
  }

  void oxygen(std::function<void()> releaseOxygen) {
    ++oxygens_;  // BUG: the same
    while (hydrogens_ < 2 || oxygens_ < 1) sync::this_thread::yield();
    releaseOxygen();
  }

 private:
  int hydrogens_ = 0;  // shared, guarded by nothing
  int oxygens_ = 0;
};

}  // namespace lab
