// Drill 08.11 santa-claus, FINAL: semaphores, in the shape of Downey's solution in The Little Book of
// Semaphores, made to keep this drill's stricter contract.
//
// What changed from improved, and why: instead of one condition variable that wakes every helper on each
// release, each kind of waiting has its own semaphore, and a release hands out exactly as many permits as there
// are members to let through:
//   - santa_sem_: one permit per FULL group, released by the last member to be counted (the ninth reindeer, the
//     third elf). Santa takes one per round, then looks at the counts, reindeer first. A permit kept in the
//     semaphore is a wakeup that cannot be lost, even if Santa is busy when it is given.
//   - hitch_ and help_: Santa releases `reindeer` or `elvesPerGroup` permits after prepareSleigh()/helpElves();
//     each member takes one before its callback.
//   - done_: each member releases one after its callback; Santa takes one per member: the round is over.
//   - team_door_ and elf_door_: a turnstile per kind (Downey's elfTex). A member passes the door before it is
//     counted and holds it open behind itself (releases it again), except the LAST one of a group, which keeps
//     it closed; Santa opens it when the group is done. So while a group is full or in progress, nobody of that
//     kind is counted: the fourth elf waits at the door, and a reindeer back early cannot take a hitch_ permit
//     meant for its old team (Downey has no door for reindeer: his reindeer never come back before the sleigh
//     leaves; ours may, since a test's reindeer fly again as soon as they are hitched).
// Both doors are binary semaphores, not mutexes: the door is closed by a helper and opened by Santa, another
// thread, which a mutex forbids (unlocking a mutex you do not own is undefined behaviour).
//
// Santa still calls prepareSleigh()/helpElves() without holding mu_, and mu_ only guards the two counts, so the
// hook is the only thing that runs under it.
//
// What an expert would still do differently in production: nothing here needs the elves to come in groups of
// exactly three forever; a real system would hand work to a pool with a batch size and a timeout (a group of two
// after a while), which neither Downey's problem nor this drill has. And std::counting_semaphore's release(n)
// wakes n waiters in no particular order: fine here (any member may go first), not for a FIFO.
//
// Lesson: modules/08-interview/07-santa-and-writer-priority.md ("Santa with semaphores").
#pragma once

#include <functional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

enum class Role { reindeer, elf };

// NorthPole: Santa, `reindeer` reindeer and elves who come to him in groups of `elvesPerGroup`.
//   - santa(rounds, prepareSleigh, helpElves): serves `rounds` wakeups, then returns. Each wakeup: sleep until
//     a full team of reindeer or a full group of elves is waiting; if the team is full (reindeer first, even
//     when a group of elves waits too), prepareSleigh() once, then every reindeer of the team getHitched();
//     else helpElves() once, then every elf of the group getHelp(). The round ends when each member has
//     returned from its callback. One santa() call at a time.
//   - reindeer(id, getHitched): counted into the team being formed; returns after its getHitched(), which runs
//     after its team's prepareSleigh(). A reindeer calls again only after its previous call returned.
//   - elf(id, getHelp): waits while a full group is in progress, then is counted into the group being formed;
//     returns after its getHelp(), which runs after its group's helpElves().
//   - onCounted(role, id) (for tests): called once per reindeer()/elf() call, holding mu_, right after the
//     caller was counted, so anything that later sees the count also sees the call.
class NorthPole {
 public:
  using CountedHook = std::function<void(Role role, int id)>;

  explicit NorthPole(int reindeer = 9, int elvesPerGroup = 3, CountedHook onCounted = {})
      : team_size_(reindeer), group_size_(elvesPerGroup), on_counted_(std::move(onCounted)) {}
  NorthPole(const NorthPole&) = delete;
  NorthPole& operator=(const NorthPole&) = delete;

  void santa(int rounds, std::function<void()> prepareSleigh, std::function<void()> helpElves) {
    for (int round = 0; round < rounds; ++round) {
      santa_sem_.acquire();  // a full team or a full group exists (one permit each)
      bool sleigh = false;
      {
        sync::lock_guard lk(mu_);
        sleigh = reindeer_ == team_size_;  // reindeer first, whichever group woke him
        if (sleigh) {
          reindeer_ = 0;
        } else {
          elves_ = 0;
        }
      }
      const int members = sleigh ? team_size_ : group_size_;
      if (sleigh) {
        prepareSleigh();
        hitch_.release(team_size_);
      } else {
        helpElves();
        help_.release(group_size_);
      }
      for (int i = 0; i < members; ++i) done_.acquire();  // every member has returned from its callback
      (sleigh ? team_door_ : elf_door_).release();        // the next team or group may form
    }
  }

  void reindeer(int id, std::function<void()> getHitched) {
    team_door_.acquire();  // closed while a full team waits or is being hitched
    {
      sync::lock_guard lk(mu_);
      ++reindeer_;
      counted(Role::reindeer, id);
      if (reindeer_ == team_size_) {
        santa_sem_.release();  // the last of the team wakes Santa, and keeps the door closed
      } else {
        team_door_.release();  // the next reindeer may be counted
      }
    }
    hitch_.acquire();
    getHitched();
    done_.release();
  }

  void elf(int id, std::function<void()> getHelp) {
    elf_door_.acquire();  // closed while a full group waits or is being helped
    {
      sync::lock_guard lk(mu_);
      ++elves_;
      counted(Role::elf, id);
      if (elves_ == group_size_) {
        santa_sem_.release();  // the last of the group wakes Santa, and keeps the door closed
      } else {
        elf_door_.release();
      }
    }
    help_.acquire();
    getHelp();
    done_.release();
  }

 private:
  void counted(Role role, int id) {
    if (on_counted_) on_counted_(role, id);
  }

  const int team_size_;
  const int group_size_;
  const CountedHook on_counted_;  // set once, before any thread uses the object

  sync::mutex mu_;
  int reindeer_ = 0;  // guarded by mu_: counted into the team being formed
  int elves_ = 0;     // guarded by mu_: counted into the group being formed

  sync::counting_semaphore<> santa_sem_{0};  // one permit per full team or group not yet served
  sync::counting_semaphore<> hitch_{0};      // permits for the reindeer of the team Santa has prepared
  sync::counting_semaphore<> help_{0};       // permits for the elves of the group Santa has helped
  sync::counting_semaphore<> done_{0};       // one per member back from its callback
  sync::binary_semaphore team_door_{1};      // open unless a full team waits or is being hitched
  sync::binary_semaphore elf_door_{1};       // open unless a full group waits or is being helped
};

}  // namespace lab
