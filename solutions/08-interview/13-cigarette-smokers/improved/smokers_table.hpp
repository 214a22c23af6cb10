// Drill 08.13 cigarette smokers, IMPROVED: one mutex, one condition variable, and the decision taken where the
// whole table is visible.
//
// What changed from naive, and why: naive's smokers wait for their two ingredients ONE AT A TIME (a semaphore
// per ingredient), and two smokers can each take one ingredient of the same pair: each holds what the other
// needs, and nobody smokes (a deadlock). Here nobody waits for one ingredient. put() records the ingredient under
// mu_; the put that completes a pair clears the table and names the smoker whose turn it is (the one who has the
// third). Each smoker waits, with a predicate, for its own name; so a wake-up before it waits is not lost (the
// name stays in turn_), and a spurious wakeup sends it back to sleep.
//
// The price: one condition variable for three smokers, so each turn wakes all three and two go back to sleep.
// The final version gives each smoker its own semaphore (Downey's pushers).
//
// Lesson: modules/08-interview/06-barbershop-and-smokers.md ("The smokers").
#pragma once

#include <cstdint>
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
    sync::lock_guard lock(mu_);
    if (first_ < 0) {
      first_ = x;  // the first of the round
      return;
    }
    turn_ = 3 - x - first_;  // the one who has the third (0 + 1 + 2 = 3)
    first_ = -1;             // the table is clear again
    cv_.notify_all();        // all three wait on cv_: wake them, the right one will see its name
  }

  void smoker(Ingredient has, std::function<void()> smoke) {
    const int me = static_cast<int>(has);
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return turn_ == me; });
    turn_ = -1;  // taken
    lock.unlock();
    smoke();
    lock.lock();
    ++smoked_;
    cv_.notify_all();  // the agent waits on cv_ too
  }

  void awaitSmoke() {
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return smoked_ > awaited_; });
    ++awaited_;
  }

 private:
  sync::mutex mu_;
  int first_ = -1;           // guarded by mu_: the round's first ingredient, or -1
  int turn_ = -1;            // guarded by mu_: the smoker whose pair is complete, or -1
  std::int64_t smoked_ = 0;  // guarded by mu_: smokes finished
  std::int64_t awaited_ = 0; // guarded by mu_: smokes the agent has seen
  sync::condition_variable cv_;  // smokers wait for turn_, the agent for smoked_
};

}  // namespace lab
