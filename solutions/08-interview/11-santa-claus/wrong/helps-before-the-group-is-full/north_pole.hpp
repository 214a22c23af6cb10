// Drill 08.11 santa-claus, WRONG (helps-before-the-group-is-full): every elf wakes Santa, and Santa helps
// whoever is waiting.
//
// Why it looks right: nobody waits for nothing, and Santa is never woken in vain. But the problem is about
// groups: Santa, who needs his sleep, helps only when three elves are waiting, and an elf arriving with an
// empty waiting room makes him call helpElves() for one. The tracker sees helpElves() with fewer elves counted
// than a group.
#pragma once

#include <cstdint>
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
      sync::unique_lock lk(mu_);
      santa_cv_.wait(lk, [&] { return reindeer_waiting_ == team_size_ || elves_waiting_ > 0; });  // BUG: > 0
      const bool elves_round = reindeer_waiting_ != team_size_;  // reindeer first
      if (!elves_round) {
        reindeer_waiting_ = 0;                // reindeer from now on form the next team
        const std::uint64_t team = forming_team_++;
        lk.unlock();
        prepareSleigh();
        lk.lock();
        released_teams_ = team + 1;
        in_round_ = team_size_;
      } else {
        group_full_ = true;
        elves_waiting_ = 0;  // group_full_ stays true: no elf is counted until this group is done
        const std::uint64_t group = forming_group_++;
        lk.unlock();
        helpElves();
        lk.lock();
        released_groups_ = group + 1;
        in_round_ = group_size_;
      }
      helpers_cv_.notify_all();  // the released members (the others find their predicate false)
      santa_cv_.wait(lk, [&] { return in_round_ == 0; });  // the round is over when every member has left
      if (elves_round) {
        group_full_ = false;       // the group has left: the next elves may be counted
        helpers_cv_.notify_all();  // (elves waiting to be counted)
      }
    }
  }

  void reindeer(int id, std::function<void()> getHitched) {
    sync::unique_lock lk(mu_);
    ++reindeer_waiting_;
    counted(Role::reindeer, id);
    const std::uint64_t team = forming_team_;
    if (reindeer_waiting_ == team_size_) santa_cv_.notify_one();  // the last of the team wakes Santa
    helpers_cv_.wait(lk, [&] { return released_teams_ > team; });
    lk.unlock();
    getHitched();
    leave();
  }

  void elf(int id, std::function<void()> getHelp) {
    sync::unique_lock lk(mu_);
    helpers_cv_.wait(lk, [&] { return !group_full_; });  // a full group is in progress: wait for the next
    ++elves_waiting_;
    counted(Role::elf, id);
    const std::uint64_t group = forming_group_;
    if (elves_waiting_ == group_size_) group_full_ = true;
    santa_cv_.notify_one();  // BUG: every elf wakes Santa
    helpers_cv_.wait(lk, [&] { return released_groups_ > group; });
    lk.unlock();
    getHelp();
    leave();
  }

 private:
  void counted(Role role, int id) {
    if (on_counted_) on_counted_(role, id);
  }

  // A member of the round has returned from its callback; the last one tells Santa.
  void leave() {
    sync::lock_guard lk(mu_);
    if (--in_round_ == 0) santa_cv_.notify_one();
  }

  const int team_size_;
  const int group_size_;
  const CountedHook on_counted_;  // set once, before any thread uses the object

  sync::mutex mu_;
  int reindeer_waiting_ = 0;           // guarded by mu_: counted into the team being formed
  int elves_waiting_ = 0;              // guarded by mu_: counted into the group being formed
  bool group_full_ = false;            // guarded by mu_: a full elf group exists and has not left yet
  std::uint64_t forming_team_ = 0;     // guarded by mu_: the number of the team being formed
  std::uint64_t forming_group_ = 0;    // guarded by mu_: the number of the elf group being formed
  std::uint64_t released_teams_ = 0;   // guarded by mu_: teams 0 .. released_teams_-1 may get hitched
  std::uint64_t released_groups_ = 0;  // guarded by mu_: groups 0 .. released_groups_-1 may get help
  int in_round_ = 0;                   // guarded by mu_: members of this round still in their callback
  sync::condition_variable santa_cv_;    // Santa waits here (with mu_): for a full group, for the round's end
  sync::condition_variable helpers_cv_;  // reindeer and elves wait here (with mu_): to be released, to be counted
};

}  // namespace lab
