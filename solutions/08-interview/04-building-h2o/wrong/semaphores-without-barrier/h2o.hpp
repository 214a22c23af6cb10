// Drill 08.04 building-h2o, WRONG (semaphores-without-barrier): two places for hydrogens, one for the oxygen,
// and nothing else.
//
// Why it looks right: "a molecule is two H and one O", and a semaphore of 2 and one of 1 say exactly that; the
// output often comes in good triples. Why it is wrong: a permit says how many atoms may be inside, not that
// they are inside TOGETHER. An oxygen takes its permit and releases at once, with no hydrogen anywhere, and a
// hydrogen that gives its permit back lets the next hydrogen release before the oxygen has: the atoms of one
// molecule mix with the next one's. Caught by H2OTest.OneMoleculeBondsOnlyWhenAllThreeAreThere (the oxygen
// releases before any hydrogen has arrived). The fix: a barrier of three after the permits, and the permits
// given back after the release (the final version).
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class H2O {
 public:
  void hydrogen(std::function<void()> releaseHydrogen) {
    hydrogen_permits_.acquire();
    releaseHydrogen();  // BUG: nobody waited for the rest of the molecule
    hydrogen_permits_.release();
  }

  void oxygen(std::function<void()> releaseOxygen) {
    oxygen_permit_.acquire();
    releaseOxygen();  // BUG: the same
    oxygen_permit_.release();
  }

 private:
  sync::counting_semaphore<2> hydrogen_permits_{2};
  sync::binary_semaphore oxygen_permit_{1};
};

}  // namespace lab
