// Drill 08.11 santa-claus, NAIVE: everybody polls. Santa spins on the counters, the helpers spin on Santa's
// "released" numbers, and nobody sleeps.
//
// The mistake, and why it looks right: the counts are changed under the mutex, so the code feels locked; only the
// READS in the waiting loops skip it, because "reading an int is atomic" and taking the lock in a loop looks
// wasteful. But a plain int read by one thread while another writes it is a data race, undefined behaviour: the
// compiler may hoist the read out of the loop (at -O2 the spin never ends), and nothing orders the writes the
// waiter then relies on. ThreadSanitizer reports it on every run, and so does the explorer (it checks every
// plain access by happens-before). And even with atomics, a spin burns a core per waiting thread: twelve
// threads spinning on two cores while Santa tries to work.
//
// Lesson: modules/08-interview/07-santa-and-writer-priority.md ("The first answer: everybody polls").
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
      while (reindeer_waiting_ != team_size_ && elves_waiting_ != group_size_) {  // BUG: plain reads, no lock
        sync::this_thread::yield();
      }
      sync::unique_lock lk(mu_);
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
        elves_waiting_ = 0;  // group_full_ stays true: no elf is counted until this group is done
        const std::uint64_t group = forming_group_++;
        lk.unlock();
        helpElves();
        lk.lock();
        released_groups_ = group + 1;
        in_round_ = group_size_;
      }
      lk.unlock();
      while (in_round_ != 0) sync::this_thread::yield();  // BUG: a plain read of what the members write
      lk.lock();
      if (elves_round) group_full_ = false;  // the group has left: the next elves may be counted
    }
  }

  void reindeer(int id, std::function<void()> getHitched) {
    sync::unique_lock lk(mu_);
    ++reindeer_waiting_;
    counted(Role::reindeer, id);
    const std::uint64_t team = forming_team_;
    lk.unlock();
    while (released_teams_ <= team) sync::this_thread::yield();  // BUG: a plain read of what Santa writes
    getHitched();
    leave();
  }

  void elf(int id, std::function<void()> getHelp) {
    while (group_full_) sync::this_thread::yield();  // BUG: a plain read; and two elves can both pass here
    sync::unique_lock lk(mu_);
    ++elves_waiting_;
    counted(Role::elf, id);
    const std::uint64_t group = forming_group_;
    if (elves_waiting_ == group_size_) group_full_ = true;
    lk.unlock();
    while (released_groups_ <= group) sync::this_thread::yield();  // BUG: a plain read of what Santa writes
    getHelp();
    leave();
  }

 private:
  void counted(Role role, int id) {
    if (on_counted_) on_counted_(role, id);
  }

  // A member of the round has returned from its callback.
  void leave() {
    sync::lock_guard lk(mu_);
    --in_round_;
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
};

}  // namespace lab
