// Graded tests for drill 08.11, santa-claus (from the Santa Claus problem in Allen Downey's The Little Book of
// Semaphores). Lesson: modules/08-interview/07-santa-and-writer-priority.md.
//
// The North Pole records what happens in a Tracker, under its own mutex: who was counted (the onCounted hook,
// which the class calls right after it counts a reindeer or an elf, holding its lock), every prepareSleigh and
// helpElves (a round begins: its members are the ones counted before it and not yet served), and every
// getHitched and getHelp (a member of the current round is served). Each event checks the rules the moment it
// happens, so a failure names the event that broke them:
//   - Santa prepares the sleigh only with a full team counted, and helps only a full group of elves;
//   - a reindeer is hitched only after the prepareSleigh of ITS team, an elf helped only after the helpElves of
//     its group, once each;
//   - a round ends when all its members have been served: the next prepareSleigh/helpElves, or santa()
//     returning, comes only after that;
//   - an elf is never counted while a full group is waiting or being helped (the fourth elf waits).
// The hook also lets a test wait until, say, nine reindeer and three elves are all counted before it starts
// Santa: that is how "both groups are waiting" is made to happen on every run, instead of sometimes.
//
// The CONCLAB_SIM_TESTs (teams of two reindeer, groups of two elves or of one) run under the explorer in the sim
// build: every schedule with up to two preemptions, spurious wakeups included, and a thread asleep for ever is
// reported as a deadlock or a lost wakeup with the schedule. Each serves one round, or two forced one after the
// other: Santa with two rounds of free-running helpers has over ten thousand schedules, too many to try on every
// check. Elsewhere they run 20 times on real threads, under a watchdog. The plain TESTs use the real sizes, nine
// and three, and force "both groups are waiting" by waiting for the hook before Santa starts.
#include <north_pole.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"
#include "conclab/finishes.hpp"
#include "conclab/watchdog.hpp"

namespace {

namespace sync = conclab::sync;

constexpr const char* kLesson = " (lesson: modules/08-interview/07-santa-and-writer-priority.md)";

const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(2));  // conclab/watchdog.hpp

std::string ids(const std::vector<int>& v) {
  std::string out;
  for (int id : v) out += (out.empty() ? "" : ",") + std::to_string(id);
  return "[" + out + "]";
}

// The Tracker is the test's bookkeeping, not the program under test, so the explorer should neither schedule it
// nor check it: each of its methods starts with CONCLAB_TEST_BOOKKEEPING() (conclab/sim_test.hpp), and its lock
// is a plain std::mutex, which the explorer does not see as a step (it never switches inside a Tracker method,
// which does no conclab::sync operation, so the lock is always free there). On real threads it is an ordinary
// lock. Without this the tracker's own locking would double the schedules the explorer tries, for nothing.

// What the test saw, checked as it happens.
class Tracker {
 public:
  // `announce`: count arrivals into the atomics below too, for a test that waits for them (they are steps the
  // explorer schedules, so only the tests that need them pay for them).
  Tracker(int team, int group, bool announce) : team_(team), group_(group), announce_(announce) {}

  lab::NorthPole::CountedHook hook() {
    return [this](lab::Role role, int id) { on_counted(role, id); };
  }

  void on_counted(lab::Role role, int id) {
    record_counted(role, id);
    if (!announce_) return;
    auto& count = role == lab::Role::reindeer ? reindeer_counted : elves_counted;
    count.fetch_add(1);
    count.notify_all();
  }

  void record_counted(lab::Role role, int id) {
    CONCLAB_TEST_BOOKKEEPING();
    {
      std::lock_guard lk(mu_);
      if (role == lab::Role::reindeer) {
        reindeer_pending_.push_back(id);
      } else {
        EXPECT_LT(elves_pending_.size(), static_cast<size_t>(group_))
            << "elf " << id << " was counted while a full group of " << group_ << " elves " << ids(elves_pending_)
            << " was already waiting for Santa: a fourth elf joined a full group. An elf that finds the group full "
            << "must wait, before it is counted, until that group has been helped and has left (Downey's elf "
            << "turnstile: the last elf of the group keeps it closed, and it opens when the group is done)"
            << kLesson;
        EXPECT_FALSE(round_ == 'H' && returned_ < static_cast<int>(members_.size()))
            << "elf " << id << " was counted while the group " << ids(members_) << " was still being helped ("
            << returned_ << " of " << members_.size() << " had returned from getHelp()): the problem's fourth elf slipped in "
            << "while a group was in progress. It must wait, before it is counted, until every elf of that group "
            << "has returned from getHelp()" << kLesson;
        elves_pending_.push_back(id);
      }
      log_ += role == lab::Role::reindeer ? " +r" : " +e";
      log_ += std::to_string(id);
    }
  }

  void prepare_sleigh() {
    CONCLAB_TEST_BOOKKEEPING();
    begin_round('S', reindeer_pending_, team_, "prepareSleigh", "reindeer");
  }
  void help_elves() {
    CONCLAB_TEST_BOOKKEEPING();
    begin_round('H', elves_pending_, group_, "helpElves", "elves");
  }
  void get_hitched(int id) {
    CONCLAB_TEST_BOOKKEEPING();
    serve('S', id, "getHitched", "reindeer", "prepareSleigh");
  }
  void get_help(int id) {
    CONCLAB_TEST_BOOKKEEPING();
    serve('H', id, "getHelp", "elf", "helpElves");
  }
  // The end of a getHitched()/getHelp() callback: the member is about to return from it.
  void returned() {
    CONCLAB_TEST_BOOKKEEPING();
    std::lock_guard lk(mu_);
    ++returned_;
  }

  // After santa() returned: the last round must be over.
  void santa_returned() {
    CONCLAB_TEST_BOOKKEEPING();
    std::lock_guard lk(mu_);
    EXPECT_EQ(returned_, static_cast<int>(members_.size()))
        << "santa() returned while its last round was not over: " << returned_ << " of " << ids(members_)
        << " had returned from their callbacks. Santa's round ends when every member of the team or group has returned from its "
        << "getHitched()/getHelp(); he must wait for that before he sleeps again or returns" << kLesson;
  }

  // The rounds so far, one letter each: S (sleigh) or H (help).
  std::string rounds() {
    CONCLAB_TEST_BOOKKEEPING();
    std::lock_guard lk(mu_);
    return rounds_;
  }
  std::string log() {
    CONCLAB_TEST_BOOKKEEPING();
    std::lock_guard lk(mu_);
    return log_;
  }

  static void wait_for(sync::atomic<int>& count, int n) {
    for (int seen = count.load(); seen < n; seen = count.load()) count.wait(seen);
  }

  sync::atomic<int> reindeer_counted{0};
  sync::atomic<int> elves_counted{0};

 private:
  void begin_round(char kind, std::vector<int>& pending, int size, const char* what, const char* who) {
    std::lock_guard lk(mu_);
    EXPECT_EQ(returned_, static_cast<int>(members_.size()))
        << "Santa called " << what << "() while the previous round was not over: " << returned_ << " of "
        << ids(members_) << " had returned from their callbacks. A round ends when every member has returned from its callback; "
        << "Santa waits for that before he sleeps again" << kLesson;
    EXPECT_GE(pending.size(), static_cast<size_t>(size))
        << "Santa called " << what << "() with only " << pending.size() << " " << who << " " << ids(pending)
        << " counted and waiting, not " << size << ". He must sleep until the group is full: the LAST one to "
        << "arrive wakes him (check the count after the increment: `if (++count == size)`, and Santa's predicate "
        << "must ask for the full number, not one fewer)" << kLesson << ". Events so far:" << log_;
    const size_t take = std::min(pending.size(), static_cast<size_t>(size));
    members_.assign(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(take));
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(take));
    served_.clear();
    returned_ = 0;
    round_ = kind;
    rounds_ += kind;
    log_ += kind == 'S' ? " prepareSleigh" : " helpElves";
  }

  void serve(char kind, int id, const char* what, const char* who, const char* leader) {
    std::lock_guard lk(mu_);
    log_ += std::string(" ") + what + "(" + std::to_string(id) + ")";
    EXPECT_EQ(round_, kind) << who << " " << id << " called " << what << "() but Santa's current round is "
                            << (round_ == 0 ? "none: he has not called " + std::string(leader) + "() yet"
                                            : std::string(round_ == 'S' ? "the sleigh's" : "the elves'"))
                            << ". A " << who << " must wait until Santa has called " << leader << "() for ITS "
                            << "group, and only then call " << what << "()" << kLesson << ". Events so far:" << log_;
    if (round_ != kind) return;
    const bool member = std::find(members_.begin(), members_.end(), id) != members_.end();
    const bool again = std::find(served_.begin(), served_.end(), id) != served_.end();
    EXPECT_TRUE(member && !again)
        << who << " " << id << " called " << what << "() in the round of " << ids(members_) << ", which it "
        << (member ? "had already been served in (twice in one round)" : "is not part of")
        << ": it was counted after Santa took that group, so it belongs to the NEXT one. Release exactly the "
        << "members of the group Santa took (number the groups, or keep the next ones out until this one is "
        << "done), not whoever happens to be waiting" << kLesson << ". Events so far:" << log_;
    served_.push_back(id);
  }

  const int team_;
  const int group_;
  const bool announce_;  // whether on_counted() also counts into reindeer_counted/elves_counted (wait_for)
  std::mutex mu_;
  std::vector<int> reindeer_pending_;  // guarded by mu_: counted, not yet in a round
  std::vector<int> elves_pending_;     // guarded by mu_
  char round_ = 0;                     // guarded by mu_: 'S', 'H', or 0 before the first round
  std::vector<int> members_;           // guarded by mu_: the current round's team or group
  std::vector<int> served_;            // guarded by mu_: those of members_ already served
  int returned_ = 0;                   // guarded by mu_: members back from their callback
  std::string rounds_;                 // guarded by mu_
  std::string log_;                    // guarded by mu_
};

// A North Pole and its tracker, owned by a shared_ptr so that a hung body (left behind by the watchdog) keeps
// them alive.
struct Scene {
  Scene(int team, int group, bool announce = false)
      : tracker(team, group, announce), pole(team, group, tracker.hook()) {}
  Tracker tracker;
  lab::NorthPole pole;

  // Santa's callbacks start with a yield: a point where the explorer may run another thread, as a real
  // scheduler may at any instruction (without it, a callback that does no sync operation would run as one step
  // with the code around it, and a member released too early could never get in before it).
  void santa(int rounds) {
    pole.santa(
        rounds,
        [this] {
          sync::this_thread::yield();
          tracker.prepare_sleigh();
        },
        [this] {
          sync::this_thread::yield();
          tracker.help_elves();
        });
    tracker.santa_returned();
  }
  void reindeer(int id) {
    pole.reindeer(id, [this, id] {
      tracker.get_hitched(id);
      tracker.returned();
    });
  }
  void elf(int id) {
    pole.elf(id, [this, id] {
      tracker.get_help(id);
      tracker.returned();
    });
  }
};

// Runs `body`: in the sim build as it is (the explorer reports a thread asleep for ever, with the schedule); on
// real threads under the watchdog, so that a hang fails the test with `if_stuck` instead of running into the
// timeout.
void watched(std::function<void()> body, const std::string& if_stuck) {
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), kPatience))
      << "not finished after " << kPatience.count() / 1000.0 << " s (a correct North Pole takes milliseconds "
      << "here): " << if_stuck << ". The explorer shows such a schedule step by step: ./conclab explore 08.11"
      << kLesson;
}

constexpr const char* kAsleep =
    "a thread sleeps for ever: Santa waiting for a group that is full (the last to arrive must wake him, after "
    "it counted itself, under the lock Santa checks with), a reindeer or elf that Santa released but nobody woke "
    "(notify_all, or one permit per member), Santa waiting for the end of a round that nobody reports, or the "
    "next group of elves kept out for ever (whoever closes the elves' door must open it when the group is done)";

// ---- Sim tests: two reindeer, groups of two elves ----

CONCLAB_SIM_TEST(SantaClausTest, TheLastReindeerWakesSanta) {
  conclab::sim::explain(std::string(kAsleep) + kLesson);
  auto s = std::make_shared<Scene>(2, 2);
  watched([s] {
    {
      sync::jthread a([s] { s->reindeer(0); });
      sync::jthread b([s] { s->reindeer(1); });
      s->santa(1);
    }
    EXPECT_EQ(s->tracker.rounds(), "S") << "two reindeer came back and Santa served one round: it must be the "
                                        << "sleigh. Events:" << s->tracker.log() << kLesson;
  }, "Santa and two reindeer (a team of two) did not finish one round");
}

CONCLAB_SIM_TEST(SantaClausTest, AFullGroupOfElvesWakesSanta) {
  conclab::sim::explain(std::string(kAsleep) + kLesson);
  auto s = std::make_shared<Scene>(2, 2);
  watched([s] {
    {
      sync::jthread a([s] { s->elf(0); });
      sync::jthread b([s] { s->elf(1); });
      s->santa(1);
    }
    EXPECT_EQ(s->tracker.rounds(), "H") << "two elves (a group of two) needed help and Santa served one round: it "
                                        << "must be the elves. Events:" << s->tracker.log() << kLesson;
  }, "Santa and two elves (a group of two) did not finish one round");
}

// Groups of ONE elf, to keep the search small. The second elf is started from inside the first one's getHelp(),
// which waits until it has arrived: so it arrives while the first group is being helped, on every schedule, and
// must wait for the next group (the tracker checks it when the elf is counted).
CONCLAB_SIM_TEST(SantaClausTest, AnElfArrivingDuringAGroupWaitsForTheNext) {
  conclab::sim::explain(std::string(kAsleep) + kLesson);
  auto s = std::make_shared<Scene>(2, 1);
  watched([s] {
    {
      sync::jthread second;
      sync::atomic<int> second_arrived{0};
      sync::jthread first([s, &second, &second_arrived] {
        s->pole.elf(0, [s, &second, &second_arrived] {
          s->tracker.get_help(0);
          second = sync::jthread([s, &second_arrived] {
            second_arrived.store(1);
            second_arrived.notify_one();
            s->elf(1);  // arrives while elf 0 is still in getHelp()
          });
          second_arrived.wait(0);
          s->tracker.returned();
        });
      });
      s->santa(2);
      first.join();
    }
    EXPECT_EQ(s->tracker.rounds(), "HH") << "two elves in groups of one: two elf rounds. Events:"
                                         << s->tracker.log() << kLesson;
  }, "Santa and two elves (groups of one, the second arriving while the first was being helped) did not finish "
     "two rounds");
}

// ---- Real threads: nine reindeer, groups of three ----

constexpr int kReindeer = 9;
constexpr int kElves = 3;
constexpr int kTrips = 6;       // ManyRoundsOfReindeerAndElves: trips per reindeer
constexpr int kElfRequests = 24;  // and elves there, one thread each (an elf thread that asked twice could be
                                  // left as the last one waiting, with nobody to complete its group)

TEST(SantaClausTest, NineReindeerGoBeforeThreeWaitingElves) {
  auto s = std::make_shared<Scene>(kReindeer, kElves, /*announce=*/true);
  watched([s] {
    std::vector<sync::jthread> helpers;
    for (int i = 0; i < kElves; ++i) helpers.emplace_back([s, i] { s->elf(i); });
    for (int i = 0; i < kReindeer; ++i) helpers.emplace_back([s, i] { s->reindeer(i); });
    Tracker::wait_for(s->tracker.elves_counted, kElves);
    Tracker::wait_for(s->tracker.reindeer_counted, kReindeer);
    s->santa(2);
    helpers.clear();  // joins
    EXPECT_EQ(s->tracker.rounds(), "SH")
        << "nine reindeer and three elves were all counted before Santa woke, and he served them in the order "
        << s->tracker.rounds() << " (S sleigh, H help). The reindeer have priority: Santa looks at the reindeer "
        << "first. Events:" << s->tracker.log() << kLesson;
  }, "nine reindeer and three elves were counted, then santa(2): the two rounds did not finish");
}

TEST(SantaClausTest, EightReindeerDoNotWakeSanta) {
  auto s = std::make_shared<Scene>(kReindeer, kElves, /*announce=*/true);
  watched([s] {
    std::vector<sync::jthread> helpers;
    for (int i = 0; i < kReindeer - 1; ++i) helpers.emplace_back([s, i] { s->reindeer(i); });
    for (int i = 0; i < kElves; ++i) helpers.emplace_back([s, i] { s->elf(i); });
    Tracker::wait_for(s->tracker.reindeer_counted, kReindeer - 1);
    Tracker::wait_for(s->tracker.elves_counted, kElves);
    s->santa(1);  // eight reindeer and a full group of elves: the elves' turn
    EXPECT_EQ(s->tracker.rounds(), "H")
        << "eight of nine reindeer and a full group of three elves were waiting: the team is not complete, so "
        << "Santa must help the elves. He served " << s->tracker.rounds() << " instead (S sleigh, H help): an "
        << "off-by-one in the reindeer count (the ninth, the last, is the one that completes the team). Events:"
        << s->tracker.log() << kLesson;
    helpers.emplace_back([s] { s->reindeer(kReindeer - 1); });
    s->santa(1);  // the ninth is back: the sleigh
    helpers.clear();
    EXPECT_EQ(s->tracker.rounds(), "HS") << "after the ninth reindeer came back, Santa's next round must be the "
                                         << "sleigh. Events:" << s->tracker.log() << kLesson;
  }, "eight reindeer and three elves, then the ninth reindeer: the two rounds did not finish");
}

TEST(SantaClausTest, ManyRoundsOfReindeerAndElves) {
  // Nine reindeer make 6 trips each; 24 elves ask for help (8 groups of three). Santa serves the 14 rounds in
  // whatever order they fill up.
  auto s = std::make_shared<Scene>(kReindeer, kElves);
  watched([s] {
    {
      std::vector<sync::jthread> helpers;
      for (int i = 0; i < kReindeer; ++i) {
        helpers.emplace_back([s, i] {
          for (int t = 0; t < kTrips; ++t) s->reindeer(i);
        });
      }
      for (int i = 0; i < kElfRequests; ++i) helpers.emplace_back([s, i] { s->elf(100 + i); });
      s->santa(kTrips + kElfRequests / kElves);
    }
    const std::string rounds = s->tracker.rounds();
    EXPECT_EQ(std::count(rounds.begin(), rounds.end(), 'S'), kTrips)
        << "nine reindeer made " << kTrips << " trips: " << kTrips << " sleigh rounds, but the rounds were "
        << rounds << kLesson;
    EXPECT_EQ(std::count(rounds.begin(), rounds.end(), 'H'), kElfRequests / kElves)
        << kElfRequests << " requests for help in groups of three, but the rounds were " << rounds
        << kLesson;
  }, "nine reindeer making 6 trips each and 24 elves did not finish Santa's 14 rounds");
}

TEST(SantaClausTest, ZeroRoundsReturnsAtOnce) {
  auto s = std::make_shared<Scene>(kReindeer, kElves);
  watched([s] { s->santa(0); }, "santa(0) must return at once: zero rounds to serve");
  EXPECT_EQ(s->tracker.rounds(), "") << "santa(0) serves no round" << kLesson;
}

}  // namespace
