// Drill 08.04 building-h2o, WRONG (release-before-barrier): final's permits and barrier, with the release
// before the meeting instead of after it.
//
// Why it looks right: every atom still meets the other two at the barrier before it gives its permit back, so
// the next molecule still cannot start early; and the release "should come first, it is the atom's work". Why
// it is wrong: the release is the bond. An oxygen that releases before the barrier has bonded with nobody: the
// hydrogens may not have arrived yet. Caught by H2OTest.OneMoleculeBondsOnlyWhenAllThreeAreThere (the oxygen
// releases when no hydrogen has arrived). The fix: arrive_and_wait() first, then release.
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
    releaseHydrogen();            // BUG: released before the others are there
    bond_.arrive_and_wait();
    hydrogen_permits_.release();  // only now may a hydrogen of the next molecule come in
  }

  void oxygen(std::function<void()> releaseOxygen) {
    oxygen_permit_.acquire();  // the molecule's one oxygen place
    releaseOxygen();           // BUG: the same
    bond_.arrive_and_wait();
    oxygen_permit_.release();  // only now may the next oxygen come in
  }

 private:
  sync::counting_semaphore<2> hydrogen_permits_{2};  // held from admission until the release returned
  sync::binary_semaphore oxygen_permit_{1};           // the same for the oxygen
  sync::barrier<> bond_{3};                           // the three admitted atoms meet here
};

}  // namespace lab
