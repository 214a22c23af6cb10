// Drill 08.11 santa-claus, WRONG (no-elf-door): Downey's solution without the elves' turnstile (elfTex): every
// elf counts itself as it arrives.
//
// Why it looks right: the count is under the mutex, the third elf wakes Santa, Santa releases three permits.
// But a fourth elf arriving while the group of three waits or is being helped is counted too (elves_ becomes 4,
// never equal to 3 again, so the next group never wakes Santa), and it waits on the same help_ semaphore as the
// group: when Santa releases three permits, the fourth elf can take one, and get help in a group it was never
// part of, while one of the three is left waiting. The door keeps the count at three until the group has left.
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
      if (sleigh) team_door_.release();                    // the next team may form
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
    {  // BUG: no door: a fourth elf is counted while the group of three waits or is being helped
      sync::lock_guard lk(mu_);
      ++elves_;
      counted(Role::elf, id);
      if (elves_ == group_size_) santa_sem_.release();  // the last of the group wakes Santa
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
};

}  // namespace lab
