// Drill 08.04 building-h2o, WRONG (barrier-reset-race): final's permits, with a hand-made barrier whose last
// arrival resets the count for the next molecule.
//
// Why it looks right: count the arrivals under a mutex; the third one resets the count to zero (so the next
// molecule starts from scratch) and wakes the other two, which wait until the count is three. Why it is wrong:
// by the time the sleepers wake and look, the count is zero again: their condition never holds, and they sleep
// forever. The waiters must wait for the END OF THEIR PHASE (a generation number that the last arrival bumps),
// not for a count that the next phase reuses. Caught by H2OTest.OneMoleculeBondsOnlyWhenAllThreeAreThere: the
// explorer reports the sleepers as a lost wakeup. The fix: a generation counter, or sync::barrier.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class H2O {
 public:
  void hydrogen(std::function<void()> releaseHydrogen) {
    hydrogen_permits_.acquire();
    meet();
    releaseHydrogen();
    hydrogen_permits_.release();
  }

  void oxygen(std::function<void()> releaseOxygen) {
    oxygen_permit_.acquire();
    meet();
    releaseOxygen();
    oxygen_permit_.release();
  }

 private:
  void meet() {
    sync::unique_lock lock(mu_);
    if (++arrived_ == 3) {
      arrived_ = 0;  // BUG: reset before the sleepers have seen the three
      cv_.notify_all();
    } else {
      cv_.wait(lock, [&] { return arrived_ == 3; });
    }
  }

  sync::counting_semaphore<2> hydrogen_permits_{2};
  sync::binary_semaphore oxygen_permit_{1};
  sync::mutex mu_;
  int arrived_ = 0;  // guarded by mu_
  sync::condition_variable cv_;
};

}  // namespace lab
