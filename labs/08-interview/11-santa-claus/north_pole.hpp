// Drill 08.11: santa-claus (the Santa Claus problem, from Allen Downey's The Little Book of Semaphores).
// Lesson: modules/08-interview/07-santa-and-writer-priority.md.   Try it timed: ./conclab drill 08.11
//
// Write lab::NorthPole: Santa, a team of `reindeer` reindeer (9 by default) and elves who come to him in groups
// of `elvesPerGroup` (3 by default). Each method is called on its own thread.
//
//   - santa(rounds, prepareSleigh, helpElves): serve `rounds` wakeups, then return. Each wakeup: sleep (no
//     busy-waiting) until a full team of reindeer OR a full group of elves is waiting. If the team is full, the
//     reindeer come first (even when a group of elves waits too): call prepareSleigh() once, then let every
//     reindeer of that team call its getHitched(). Otherwise call helpElves() once, then let every elf of that
//     group call its getHelp(). The round is over when each member has RETURNED from its callback; only then
//     does Santa sleep again (or return). One santa() call at a time.
//   - reindeer(id, getHitched): a reindeer back from holiday. It is counted into the team being formed; the
//     last one to complete the team wakes Santa. Returns after its getHitched(), which must come after its
//     team's prepareSleigh(). A reindeer calls again (its next holiday is over) only after its call returned.
//   - elf(id, getHelp): an elf who needs help. While a full group is waiting or being helped, it waits: a
//     fourth elf does not join a group of three. Then it is counted into the group being formed; the last one
//     to complete the group wakes Santa. Returns after its getHelp(), which comes after its group's helpElves().
//   - counted(role, id): call it exactly once per reindeer()/elf() call, right after you counted the caller in,
//     while still holding the lock that guards the count. The tests use it to know who is waiting (and wait for
//     it before they start Santa, to make "both groups are waiting" happen on every run).
//
// The tests run the small cases under the explorer (every schedule of Santa and two or three helpers, spurious
// wakeups included), and the real sizes, nine and three, on real threads and with ThreadSanitizer.
#pragma once

#include <functional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::mutex is std::mutex...), instrumented in the sim build

enum class Role { reindeer, elf };

class NorthPole {
 public:
  using CountedHook = std::function<void(Role role, int id)>;  // for tests: see counted() above

  explicit NorthPole(int reindeer = 9, int elvesPerGroup = 3, CountedHook onCounted = {})
      : team_size_(reindeer), group_size_(elvesPerGroup), on_counted_(std::move(onCounted)) {}
  NorthPole(const NorthPole&) = delete;
  NorthPole& operator=(const NorthPole&) = delete;

  void santa(int rounds, std::function<void()> prepareSleigh, std::function<void()> helpElves) {
    // TODO(lab): `rounds` times: sleep until a full team or a full group is waiting; reindeer first. Call
    // prepareSleigh() or helpElves(), then release exactly the members of THAT team or group, and wait until
    // each of them has returned from its callback.
    (void)rounds;
    (void)prepareSleigh;
    (void)helpElves;
  }

  void reindeer(int id, std::function<void()> getHitched) {
    // TODO(lab): count yourself in (and call counted(Role::reindeer, id) there); the last of the team wakes
    // Santa. Wait until Santa has prepared the sleigh for YOUR team, then getHitched(), then tell Santa you
    // are done.
    (void)id;
    (void)getHitched;
  }

  void elf(int id, std::function<void()> getHelp) {
    // TODO(lab): wait while a full group is waiting or being helped; then count yourself in (and call
    // counted(Role::elf, id)); the last of the group wakes Santa. Wait until Santa has helped YOUR group, then
    // getHelp(), then tell Santa you are done.
    (void)id;
    (void)getHelp;
  }

 private:
  void counted(Role role, int id) {
    if (on_counted_) on_counted_(role, id);
  }

  const int team_size_;
  const int group_size_;
  const CountedHook on_counted_;  // set once, before any thread uses the object

  // TODO(lab): the state and what guards it: a sync::mutex above the counts it guards, and what the threads
  // wait on (sync::condition_variable, or sync::counting_semaphore / sync::binary_semaphore).
};

}  // namespace lab
