// Drill 08.04 building-h2o, WRONG (oxygen-goes-first): the oxygen releases, then lets two hydrogens in; the
// second hydrogen lets the next oxygen in.
//
// Why it looks right: the output is always "OHHOHH...", every triple is one O and two H, and nothing can
// interleave: it is a relay, one atom at a time. LeetCode's judge accepts it. Why it is wrong: the oxygen
// releases when no hydrogen has even arrived (it bonds with atoms that may never come), and the molecule's
// atoms never release together. The problem says an atom waits for its partners. Caught by
// H2OTest.OneMoleculeBondsOnlyWhenAllThreeAreThere: the explorer runs the oxygen first. The fix: meet first (a
// barrier of three), then release.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class H2O {
 public:
  void hydrogen(std::function<void()> releaseHydrogen) {
    hydrogen_turn_.acquire();
    releaseHydrogen();
    sync::lock_guard lock(mu_);
    if (++hydrogens_ == 2) {
      hydrogens_ = 0;
      oxygen_turn_.release();  // the molecule is done: the next oxygen may go
    }
  }

  void oxygen(std::function<void()> releaseOxygen) {
    oxygen_turn_.acquire();
    releaseOxygen();  // BUG: no hydrogen has to be there yet
    hydrogen_turn_.release(2);
  }

 private:
  sync::counting_semaphore<2> hydrogen_turn_{0};
  sync::binary_semaphore oxygen_turn_{1};
  sync::mutex mu_;
  int hydrogens_ = 0;  // guarded by mu_
};

}  // namespace lab
