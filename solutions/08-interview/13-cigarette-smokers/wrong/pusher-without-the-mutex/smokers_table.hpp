// Drill 08.13, WRONG (pusher-without-the-mutex): the book's pushers without their mutex ("each put() only
// touches a few bools"). When the agent's two puts come from two threads at once, both can look at the table
// before either writes: each sees no partner, leaves its ingredient, and nobody wakes the smoker. A data race.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

enum class Ingredient { kTobacco = 0, kPaper = 1, kMatches = 2 };

// SmokersTable: the agent puts two different ingredients per round, one put() at a time (from one thread or
// two at once), then calls awaitSmoke(). The smoker who has the third ingredient takes both, smokes, and the
// round is over.
//   - put(item): returns at once. Nobody tells you the pair: put() sees one ingredient.
//   - smoker(has, smoke): one round of the smoker who has `has`: waits until the two others are on the table,
//     takes them, calls smoke() once, and returns. A smoker must not take an ingredient of a pair that is not his.
//   - awaitSmoke(): returns once the round's smoke() has returned.
class SmokersTable {
 public:
  SmokersTable() = default;
  SmokersTable(const SmokersTable&) = delete;
  SmokersTable& operator=(const SmokersTable&) = delete;

  void put(Ingredient item) {
    const int x = static_cast<int>(item);
    // BUG: no lock: the look and the change are not one step
    for (int other = 0; other < 3; ++other) {
      if (other != x && on_table_[other]) {
        on_table_[other] = false;      // the pair is complete: clear the table...
        smoker_[3 - x - other].release();  // ...and wake the one who has the third (0 + 1 + 2 = 3)
        return;
      }
    }
    on_table_[x] = true;  // the first of the round: wait for its partner
  }

  void smoker(Ingredient has, std::function<void()> smoke) {
    smoker_[static_cast<int>(has)].acquire();  // both of mine are on the table, and only I was woken
    smoke();
    agent_.release();  // after smoke() returned
  }

  void awaitSmoke() { agent_.acquire(); }

 private:
  sync::mutex mu_;
  bool on_table_[3] = {false, false, false};  // guarded by mu_: the round's first ingredient
  sync::binary_semaphore smoker_[3] = {sync::binary_semaphore(0), sync::binary_semaphore(0), sync::binary_semaphore(0)};
  sync::binary_semaphore agent_{0};  // released by the smoker after the smoke
};

}  // namespace lab
