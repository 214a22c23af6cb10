// Drill 08.04 building-h2o, NAIVE: count the atoms in the current molecule under a mutex, release at once if
// there is room, start a new molecule when the count reaches two hydrogens and one oxygen.
//
// The answer people really write, and why it looks right: the judge reads the output, and this output is
// always right. An atom waits (predicate wait, so spurious wakeups are handled) only while its kind is full,
// counts itself in, releases under the lock, and the atom that completes the molecule resets the counts and
// wakes the waiters. Every three releases are two H and one O: LeetCode accepts it.
//
// Why it is wrong: the problem says an atom bonds only with the two others of its molecule, so it must wait
// until they are THERE. Here the first oxygen to arrive releases at once, with no hydrogen anywhere (and the
// first hydrogen too): it "bonds" with atoms that may never come. The tests record who has arrived when each
// release happens; the explorer finds the schedule where the oxygen arrives first
// (H2OTest.OneMoleculeBondsOnlyWhenAllThreeAreThere, H2OTest.TwoMoleculesNeverMix). The release also runs
// under the mutex, so the three atoms of a molecule can never release at the same time.
//
// Lesson: modules/08-interview/03-counting-threads.md ("The answer the judge accepts").
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class H2O {
 public:
  void hydrogen(std::function<void()> releaseHydrogen) {
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return hydrogens_ < 2; });
    ++hydrogens_;
    releaseHydrogen();  // BUG: released before the rest of the molecule has arrived
    complete_if_full();
  }

  void oxygen(std::function<void()> releaseOxygen) {
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return oxygens_ < 1; });
    ++oxygens_;
    releaseOxygen();  // BUG: the same for the oxygen
    complete_if_full();
  }

 private:
  void complete_if_full() {
    if (hydrogens_ == 2 && oxygens_ == 1) {
      hydrogens_ = 0;
      oxygens_ = 0;
      cv_.notify_all();
    }
  }

  sync::mutex mu_;
  int hydrogens_ = 0;  // guarded by mu_: released in the current molecule
  int oxygens_ = 0;    // guarded by mu_
  sync::condition_variable cv_;
};

}  // namespace lab
