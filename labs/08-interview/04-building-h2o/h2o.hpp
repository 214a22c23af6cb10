// Drill 08.04: building-h2o (LeetCode 1117).   Start it: ./conclab drill 08.04   Check: ./conclab check 08.04
// Lesson: modules/08-interview/03-counting-threads.md. The problem: problem.md beside this file.
//
// 3n threads: 2n call hydrogen(), n call oxygen(), each once, in any order. Make each call wait until its atom
// is part of a whole molecule (two hydrogens and one oxygen that have all arrived), then call its release
// callback once and return. Every three releases are one molecule: two H and one O, and all three release
// before any atom of the next molecule does.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp):
// sync::mutex, sync::condition_variable, sync::counting_semaphore, sync::barrier... In the sim build they
// are instrumented so that the explorer can try every schedule of your threads.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class H2O {
 public:
  H2O() {}

  void hydrogen(std::function<void()> releaseHydrogen) {
    // TODO(lab): wait until this hydrogen has a place in a molecule whose other two atoms (a hydrogen and an
    // oxygen) have arrived too; then release. Give the place back only once the release has returned, so the
    // next molecule cannot start before this one is finished.
    (void)releaseHydrogen;
  }

  void oxygen(std::function<void()> releaseOxygen) {
    // TODO(lab): the same for the molecule's one oxygen: it must not release before its two hydrogens are there.
    (void)releaseOxygen;
  }

 private:
  // TODO(lab): the state. Either counts under a sync::mutex with a sync::condition_variable, or two semaphores
  // (two hydrogen places, one oxygen place) and a sync::barrier<> of three where the atoms meet.
};

}  // namespace lab
