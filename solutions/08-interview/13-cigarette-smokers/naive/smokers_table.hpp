// Drill 08.13 cigarette smokers, NAIVE: a semaphore per ingredient, and each smoker waits for the two it lacks,
// one after the other.
//
// The mistake people really make, and why it looks right: "the smoker with matches needs tobacco and paper, so it
// waits for tobacco, then for paper". It is the first thing the book's problem invites, and with one smoker at a
// time it works. With three, the agent puts tobacco and paper: the smoker with PAPER also waits for tobacco first,
// and can take it before the smoker with matches does; the smoker with TOBACCO waits for paper and can take that.
// Now each holds one ingredient the smoker with matches needs, each waits for matches, which the agent will not
// put until someone smokes: a deadlock. The explorer finds that schedule (TwoSmokersCannotSplitThePair).
//
// Lesson: modules/08-interview/06-barbershop-and-smokers.md ("The smokers: the trap").
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

enum class Ingredient { kTobacco = 0, kPaper = 1, kMatches = 2 };

// SmokersTable, as in the contract; NOT correct (the point of this version): it can deadlock.
class SmokersTable {
 public:
  SmokersTable() = default;
  SmokersTable(const SmokersTable&) = delete;
  SmokersTable& operator=(const SmokersTable&) = delete;

  void put(Ingredient item) { ingredient_[static_cast<int>(item)].release(); }

  void smoker(Ingredient has, std::function<void()> smoke) {
    const int me = static_cast<int>(has);
    const int a = me == 0 ? 1 : 0;  // the two I lack, in index order
    const int b = me == 2 ? 1 : 2;
    ingredient_[a].acquire();  // BUG: takes one ingredient and holds it while it waits for the other
    ingredient_[b].acquire();
    smoke();
    agent_.release();
  }

  void awaitSmoke() { agent_.acquire(); }

 private:
  sync::binary_semaphore ingredient_[3] = {sync::binary_semaphore(0), sync::binary_semaphore(0),
                                           sync::binary_semaphore(0)};
  sync::binary_semaphore agent_{0};
};

}  // namespace lab
