// Drill 08.13: cigarette smokers (after Allen Downey's "The Little Book of Semaphores").
// The problem: labs/08-interview/13-cigarette-smokers/problem.md.   Attempt: ./conclab drill 08.13
// Check: ./conclab check 08.13      Lesson: modules/08-interview/06-barbershop-and-smokers.md.
//
// Three smokers, each with an endless supply of one ingredient (tobacco, paper or matches); an agent who, each
// round, puts two different ingredients on the table, ONE put() AT A TIME (the agent's code is fixed: it never
// says which pair it is putting, and the two puts may come from two threads at once), then calls awaitSmoke().
// The smoker who has the third ingredient takes both, smokes, and the round is over.
//   - put(item): returns at once.
//   - smoker(has, smoke): one round of the smoker who has `has`: wait until the two ingredients you lack are on
//     the table, take them, call smoke() once, return. Never take an ingredient of a pair that is not yours.
//   - awaitSmoke(): return once the round's smoke() has returned.
//
// Use the course's primitives (sync::mutex, sync::condition_variable, sync::binary_semaphore...: std's types
// under conclab::sync, instrumented in the sim build so that the explorer can try every schedule).
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

enum class Ingredient { kTobacco = 0, kPaper = 1, kMatches = 2 };

class SmokersTable {
 public:
  SmokersTable() = default;
  SmokersTable(const SmokersTable&) = delete;
  SmokersTable& operator=(const SmokersTable&) = delete;

  void put(Ingredient item) {
    // TODO(lab): record the ingredient; if it completes a pair, clear the table and wake the smoker who has the
    // third one (and only him).
    (void)item;
  }

  void smoker(Ingredient has, std::function<void()> smoke) {
    // TODO(lab): wait until it is your turn (both ingredients you lack are there), smoke(), then let the agent go.
    (void)has;
    (void)smoke;
  }

  void awaitSmoke() {
    // TODO(lab): wait until the round's smoker has finished smoking.
  }

 private:
  // TODO(lab): what is on the table, under a lock; what each smoker and the agent sleep on.
};

}  // namespace lab
