// Graded tests for drill 08.10, barbershop (the sleeping barber, after Allen Downey's "The Little Book of
// Semaphores"): one barber, `chairs` waiting chairs, customers who balk when the waiting room is full.
//
// Every callback the shop runs is recorded in an event log under a mutex (Recorder below), and each test checks
// the log against the rules of the contract (check_log): each haircut is one customer with the barber, the
// customer leaves only after cutHair(id) returned, one customer in the chair at a time.
//
// Real-thread tests (default and ThreadSanitizer builds) force the hard states with callbacks the test controls:
// the barber's cutHair(0) is held open while customers fill the waiting room one by one (the test watches
// waiting()), so "exactly `chairs` wait and the next balks" and "served in arrival order" are exact, every run.
// Sim tests (CONCLAB_SIM_TEST) run small scenes under the explorer on every schedule: a barber about to sleep
// when the customer comes, two customers and one chair, the callbacks waiting for each other (a haircut is a
// rendezvous). A test that can hang on a broken version waits under a watchdog and ends with words.
#include <barbershop.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"
#include "conclab/finishes.hpp"
#include "conclab/watchdog.hpp"

namespace {

namespace sync = conclab::sync;

constexpr const char* kLesson = " (lesson: modules/08-interview/06-barbershop-and-smokers.md, \"The barbershop\")";

const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(1));

// ---- The event log. ----

enum class Ev { kGetStart, kGetEnd, kCutStart, kCutEnd, kLeft, kBalked };

const char* ev_name(Ev e) {
  switch (e) {
    case Ev::kGetStart: return "getHairCut starts";
    case Ev::kGetEnd: return "getHairCut returns";
    case Ev::kCutStart: return "cutHair starts";
    case Ev::kCutEnd: return "cutHair returns";
    case Ev::kLeft: return "customer() returns true";
    case Ev::kBalked: return "customer() returns false";
  }
  return "?";
}

struct Event {
  Ev ev;
  int id;
};

// Records the callbacks. With `rendezvous`, getHairCut(c) waits until the barber's cutHair(c) has started and
// cutHair(c) waits until getHairCut(c) has started: a shop that runs the two one after the other (not at the same
// time) hangs here. hold_cut(id) makes cutHair(id) wait until release_cut(): the test keeps a customer in the chair.
class Recorder {
 public:
  explicit Recorder(bool rendezvous) : rendezvous_(rendezvous) {}

  std::function<void()> get_hair_cut(int id) {
    return [this, id] {
      sync::unique_lock lock(mu_);
      add(Ev::kGetStart, id);
      if (rendezvous_) cv_.wait(lock, [&] { return has(Ev::kCutStart, id); });
      add(Ev::kGetEnd, id);
    };
  }

  std::function<void(int)> cut_hair() {
    return [this](int id) {
      sync::unique_lock lock(mu_);
      add(Ev::kCutStart, id);
      if (rendezvous_) cv_.wait(lock, [&] { return has(Ev::kGetStart, id); });
      cv_.wait(lock, [&] { return held_ != id; });
      add(Ev::kCutEnd, id);
    };
  }

  void record(Ev ev, int id) {
    sync::lock_guard lock(mu_);
    add(ev, id);
  }
  void hold_cut(int id) {
    sync::lock_guard lock(mu_);
    held_ = id;
  }
  void release_cut() {
    sync::lock_guard lock(mu_);
    held_ = -1;
    cv_.notify_all();
  }
  bool seen(Ev ev, int id) {
    sync::lock_guard lock(mu_);
    return has(ev, id);
  }
  std::vector<Event> events() {
    sync::lock_guard lock(mu_);
    return events_;
  }
  // The ids the barber cut, in order: "0 1 2".
  std::string cuts() {
    sync::lock_guard lock(mu_);
    std::string s;
    for (const Event& e : events_) {
      if (e.ev == Ev::kCutStart) s += (s.empty() ? "" : " ") + std::to_string(e.id);
    }
    return s;
  }

 private:
  void add(Ev ev, int id) {
    events_.push_back({ev, id});
    cv_.notify_all();
  }
  bool has(Ev ev, int id) const {
    return std::any_of(events_.begin(), events_.end(), [&](const Event& e) { return e.ev == ev && e.id == id; });
  }

  const bool rendezvous_;
  sync::mutex mu_;
  std::vector<Event> events_;  // guarded by mu_
  int held_ = -1;              // guarded by mu_: cutHair(held_) waits
  sync::condition_variable cv_;
};

// A lighter recorder for the sim scenes that need no waiting in the callbacks: each event takes one atomic
// fetch_add (its place in the log) instead of a lock and an unlock, which keeps the explorer's search small.
// Read it only after the scene's threads are joined.
class Tape {
 public:
  std::function<void()> get_hair_cut(int id) {
    return [this, id] {
      record(Ev::kGetStart, id);
      record(Ev::kGetEnd, id);
    };
  }
  std::function<void(int)> cut_hair() {
    return [this](int id) {
      record(Ev::kCutStart, id);
      record(Ev::kCutEnd, id);
    };
  }
  void record(Ev ev, int id) {
    const int at = next_.fetch_add(1);
    if (at < kMax) slots_[at] = {ev, id};  // each slot written by one thread only
  }
  std::vector<Event> events() const {
    const int n = std::min(next_.load(), kMax);
    return std::vector<Event>(slots_, slots_ + n);
  }
  std::string cuts() const {
    std::string s;
    for (const Event& e : events()) {
      if (e.ev == Ev::kCutStart) s += (s.empty() ? "" : " ") + std::to_string(e.id);
    }
    return s;
  }

 private:
  static constexpr int kMax = 32;
  Event slots_[kMax] = {};
  sync::atomic<int> next_{0};
};

// The contract's rules, checked on a finished log. Returns "" or what broke, in words.
std::string check_log(const std::vector<Event>& log) {
  std::map<int, std::map<Ev, int>> pos;  // id -> event -> index in the log
  std::string out;
  for (int i = 0; i < static_cast<int>(log.size()); ++i) {
    auto& p = pos[log[i].id];
    if (p.count(log[i].ev) != 0) {
      return "customer " + std::to_string(log[i].id) + ": '" + ev_name(log[i].ev) +
             "' happened twice. Each customer gets at most one haircut, and the barber cuts each customer once";
    }
    p[log[i].ev] = i;
  }
  struct Cut {
    int id, first, last;
  };
  std::vector<Cut> haircuts;
  for (const auto& [id, p] : pos) {
    const std::string who = "customer " + std::to_string(id);
    if (p.count(Ev::kBalked) != 0) {
      if (p.size() != 1) {
        return who + " balked (customer() returned false) but a haircut callback ran for it too: a customer who "
                     "balks leaves at once, with no haircut";
      }
      continue;
    }
    for (Ev need : {Ev::kGetStart, Ev::kGetEnd, Ev::kCutStart, Ev::kCutEnd, Ev::kLeft}) {
      if (p.count(need) == 0) {
        return who + ": '" + ev_name(need) + "' never happened, but the scene is over. " +
               (need == Ev::kCutStart ? "The barber never called cutHair(" + std::to_string(id) +
                                            "): did he cut someone else in its place?"
                                      : "Every served customer runs getHairCut, the barber runs cutHair(id) for it, "
                                        "and customer() returns true");
      }
    }
    if (p.at(Ev::kLeft) < p.at(Ev::kCutEnd)) {
      return who + " left (customer() returned) before the barber's cutHair(" + std::to_string(id) +
             ") returned: a customer stays in the chair until the haircut is over. After getHairCut(), wait for the "
             "barber to be done (and make sure it is YOUR haircut that is done, not the previous customer's)";
    }
    haircuts.push_back({id, std::min(p.at(Ev::kGetStart), p.at(Ev::kCutStart)),
                        std::max(p.at(Ev::kGetEnd), p.at(Ev::kCutEnd))});
  }
  std::sort(haircuts.begin(), haircuts.end(), [](const Cut& a, const Cut& b) { return a.first < b.first; });
  for (std::size_t i = 1; i < haircuts.size(); ++i) {
    if (haircuts[i].first < haircuts[i - 1].last) {
      return "customer " + std::to_string(haircuts[i].id) + "'s haircut started before customer " +
             std::to_string(haircuts[i - 1].id) +
             "'s was over (both getHairCut and cutHair must have returned): two customers in the one barber's "
             "chair. The barber calls the next customer only after the previous one has finished and got up";
    }
  }
  return out;
}

std::string log_text(const std::vector<Event>& log) {
  std::string s;
  for (const Event& e : log) s += "\n    " + std::to_string(e.id) + ": " + ev_name(e.ev);
  return s;
}

// ---- Real-thread scenes: a shop, its log, and threads that own them. ----

struct Scene {
  explicit Scene(int chairs, bool rendezvous = false) : shop(chairs), rec(rendezvous) {}
  lab::Barbershop shop;
  Recorder rec;
};

// Threads of one scene; finish() waits for them under the watchdog. A thread that never ends is left behind,
// detached (it owns the scene through a shared_ptr), so that the test fails with words instead of hanging.
class Crew {
 public:
  ~Crew() {
    for (auto& t : threads_) {
      if (t.joinable()) t.detach();
    }
  }
  void spawn(std::function<void()> f) {
    auto done = done_;
    threads_.emplace_back([f = std::move(f), done] {
      f();
      std::lock_guard lock(done->mu);
      ++done->count;
      done->cv.notify_all();
    });
  }
  // True if every thread ended. Gives up only when `progress` (a count of what the scene has done) stays the
  // same for a whole patience: a correct shop on a loaded machine may need seconds, a stuck one never moves.
  bool finish(const std::function<std::size_t()>& progress) {
    std::unique_lock lock(done_->mu);
    bool all = false;
    std::size_t last = progress();
    while (!(all = done_->cv.wait_for(lock, kPatience, [&] { return done_->count == threads_.size(); }))) {
      const std::size_t now = progress();
      if (now == last) break;
      last = now;
    }
    lock.unlock();
    for (auto& t : threads_) all ? t.join() : t.detach();
    return all;
  }

 private:
  struct Done {
    std::mutex mu;
    std::condition_variable cv;
    std::size_t count = 0;
  };
  std::shared_ptr<Done> done_ = std::make_shared<Done>();
  std::vector<std::thread> threads_;
};

// Polls `pred` until it holds or the patience runs out (the shop's threads get there in microseconds).
bool eventually(const std::function<bool()>& pred) {
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

// waiting(), on a thread of its own under the watchdog: -1 if it does not return (a balk that left the lock held).
int waiting_now(const std::shared_ptr<Scene>& st) {
  auto seen = std::make_shared<std::atomic<int>>(-1);
  if (!conclab::returns_in_time([st, seen] { seen->store(st->shop.waiting()); }, kPatience)) return -1;
  return seen->load();
}

void spawn_customer(Crew& crew, const std::shared_ptr<Scene>& st, int id) {
  crew.spawn([st, id] {
    const bool served = st->shop.customer(id, st->rec.get_hair_cut(id));
    st->rec.record(served ? Ev::kLeft : Ev::kBalked, id);
  });
}

// Customer 0 in the chair, its cutHair held open by the test; then customers 1..k arrive one at a time, each
// seated (waiting() counts it) before the next comes. The barber serves `count`.
void fill_the_shop(Crew& crew, const std::shared_ptr<Scene>& st, int k, int count) {
  st->rec.hold_cut(0);
  crew.spawn([st, count] { st->shop.barber(count, st->rec.cut_hair()); });
  spawn_customer(crew, st, 0);
  ASSERT_TRUE(eventually([&] { return st->rec.seen(Ev::kCutStart, 0); }))
      << "one barber, one customer (id 0), an empty shop: the barber never called cutHair(0). A customer who "
         "arrives must be seated and wake the barber; the barber must take him"
      << kLesson;
  ASSERT_TRUE(eventually([&] { return st->shop.waiting() == 0; }))
      << "customer 0 is in the barber's chair (cutHair(0) runs), so the waiting room is empty, but waiting() says "
      << st->shop.waiting() << ". waiting() counts the customers seated in the waiting room, not yet called"
      << kLesson;
  for (int id = 1; id <= k; ++id) {
    spawn_customer(crew, st, id);
    ASSERT_TRUE(eventually([&] { return st->shop.waiting() == id; }))
        << "customer 0 is in the chair and customers 1.." << id << " came in one at a time; with enough chairs "
        << "all " << id << " should be seated in the waiting room, but waiting() says " << st->shop.waiting()
        << ". Did a customer balk while there was a free chair (an off-by-one at the chairs)?" << kLesson;
  }
}

// ---- Real-thread tests. ----

// One customer, one haircut. The customer comes first, so the scene is the same on every run: a barber and a
// customer started together would race to the shop, and a shop that hangs only when the customer wins would fail
// here on some runs and not others. The other order (the barber asleep first) is a sim test:
// BarberAboutToSleepStillHearsTheCustomer, on every schedule.
TEST(BarbershopTest, BarberFindsACustomerWhoIsAlreadyWaiting) {
  auto st = std::make_shared<Scene>(2);
  Crew crew;
  spawn_customer(crew, st, 3);
  ASSERT_TRUE(eventually([&] { return st->shop.waiting() == 1; }))
      << "a customer came into an empty shop with 2 chairs and no barber yet: he should sit down and wait "
         "(waiting() == 1), but waiting() says "
      << st->shop.waiting() << kLesson;
  crew.spawn([st] { st->shop.barber(1, st->rec.cut_hair()); });
  ASSERT_TRUE(crew.finish([&] { return st->rec.events().size(); }))
      << "customer 3 was already waiting when the barber started, and nothing happened: the barber went to sleep "
         "waiting for a wake-up that had already been sent. A notify (or a signal) that comes before the wait is "
         "lost unless the barber checks the waiting room before he sleeps (a predicate wait, or a semaphore that "
         "counts). Log:"
      << log_text(st->rec.events()) << kLesson;
  EXPECT_EQ(st->rec.cuts(), "3") << kLesson;
  const std::string broken = check_log(st->rec.events());
  EXPECT_TRUE(broken.empty()) << broken << ". Log:" << log_text(st->rec.events()) << kLesson;
}

TEST(BarbershopTest, FullWaitingRoomTurnsTheNextCustomerAway) {
  constexpr int kChairs = 3;
  auto st = std::make_shared<Scene>(kChairs);
  Crew crew;
  fill_the_shop(crew, st, kChairs, kChairs + 1);
  if (HasFatalFailure()) return;
  const bool returned = conclab::returns_in_time(
      [st] {
        const bool served = st->shop.customer(99, st->rec.get_hair_cut(99));
        st->rec.record(served ? Ev::kLeft : Ev::kBalked, 99);
      },
      kPatience);
  ASSERT_TRUE(returned) << "customer 0 is in the chair and customers 1, 2, 3 sit in all 3 waiting chairs; customer "
                        << "99 came in and should have balked (customer() returns false at once), but customer() "
                        << "did not return: he sat down in a 4th chair that does not exist. Check the comparison "
                        << "with the number of chairs (an off-by-one)" << kLesson;
  EXPECT_TRUE(st->rec.seen(Ev::kBalked, 99)) << "customer 99 found all 3 chairs taken and must balk" << kLesson;
  EXPECT_EQ(waiting_now(st), kChairs)
      << "after customer 99 balked, the waiting room still holds customers 1, 2, 3: waiting() must be 3. A balk "
         "takes no chair and changes no count"
      << kLesson;
  st->rec.release_cut();
  ASSERT_TRUE(crew.finish([&] { return st->rec.events().size(); })) << "after the test let cutHair(0) finish, the barber should serve customers 1, 2, 3 and "
                             << "return (barber(4, ...)); not finished. Log:" << log_text(st->rec.events()) << kLesson;
  EXPECT_EQ(st->rec.cuts(), "0 1 2 3") << "served in arrival order: 0 (in the chair), then 1, 2, 3" << kLesson;
  const std::string broken = check_log(st->rec.events());
  EXPECT_TRUE(broken.empty()) << broken << ". Log:" << log_text(st->rec.events()) << kLesson;
}

TEST(BarbershopTest, OneChairOneWaitsTheNextBalks) {
  auto st = std::make_shared<Scene>(1);
  Crew crew;
  fill_the_shop(crew, st, 1, 3);
  if (HasFatalFailure()) return;
  ASSERT_TRUE(conclab::returns_in_time(
      [st] { st->rec.record(st->shop.customer(2, st->rec.get_hair_cut(2)) ? Ev::kLeft : Ev::kBalked, 2); },
      kPatience))
      << "1 waiting chair, customer 1 in it, customer 0 in the barber's chair: customer 2 must balk at once, but "
         "customer() did not return (an off-by-one at the chairs, or the balk path left the lock held)"
      << kLesson;
  EXPECT_TRUE(st->rec.seen(Ev::kBalked, 2)) << "customer 2 found the one chair taken and must balk" << kLesson;
  st->rec.release_cut();
  // The shop empties; a customer who comes later, to an empty shop, must get the barber's third haircut.
  ASSERT_TRUE(eventually([&] { return st->rec.seen(Ev::kLeft, 1); }))
      << "after cutHair(0) was let go, customer 1 (waiting) should have been served. Log:"
      << log_text(st->rec.events()) << kLesson;
  spawn_customer(crew, st, 4);
  ASSERT_TRUE(crew.finish([&] { return st->rec.events().size(); }))
      << "customer 4 came to an empty shop after customer 2 had balked, and did not get the haircut: the balk "
         "left something behind (a count not given back, a lock not released), so the shop looks full or stays "
         "locked. Log:"
      << log_text(st->rec.events()) << kLesson;
  EXPECT_EQ(st->rec.cuts(), "0 1 4") << kLesson;
  const std::string broken = check_log(st->rec.events());
  EXPECT_TRUE(broken.empty()) << broken << ". Log:" << log_text(st->rec.events()) << kLesson;
}

TEST(BarbershopTest, ServedInArrivalOrder) {
  constexpr int kWaiting = 40;
  auto st = std::make_shared<Scene>(kWaiting);
  Crew crew;
  fill_the_shop(crew, st, kWaiting, kWaiting + 1);
  if (HasFatalFailure()) return;
  st->rec.release_cut();
  ASSERT_TRUE(crew.finish([&] { return st->rec.events().size(); })) << "40 customers waited while customer 0 was in the chair; the barber should serve all "
                             << "41 and return. Log:" << log_text(st->rec.events()) << kLesson;
  std::string expected = "0";
  for (int id = 1; id <= kWaiting; ++id) expected += " " + std::to_string(id);
  EXPECT_EQ(st->rec.cuts(), expected)
      << "customers 1..40 sat down one after the other (each was seated before the next came in): the barber must "
         "call them in that order, first come first served. A stack (the last one in goes first) or 'whoever "
         "wakes first takes the chair' breaks it"
      << kLesson;
  const std::string broken = check_log(st->rec.events());
  EXPECT_TRUE(broken.empty()) << broken << kLesson;
}

TEST(BarbershopTest, HaircutIsARendezvous) {
  // The callbacks wait for each other: getHairCut(c) until cutHair(c) started, and the other way round.
  auto st = std::make_shared<Scene>(4, /*rendezvous=*/true);
  Crew crew;
  for (int id = 0; id < 4; ++id) spawn_customer(crew, st, id);
  ASSERT_TRUE(eventually([&] { return st->shop.waiting() == 4; }))
      << "four customers came into a shop with four chairs and no barber yet: all four should be seated "
         "(waiting() == 4), but waiting() says "
      << st->shop.waiting() << kLesson;
  crew.spawn([st] { st->shop.barber(4, st->rec.cut_hair()); });
  ASSERT_TRUE(crew.finish([&] { return st->rec.events().size(); }))
      << "four customers seated, then the barber came; and this time getHairCut(c) waits until the barber's cutHair(c) has started, "
         "and cutHair(c) until getHairCut(c) has: the shop hung. A haircut is a rendezvous: the customer's "
         "getHairCut and the barber's cutHair for THAT customer must be able to run at the same time. Calling one "
         "only after the other returned, or calling cutHair for a different customer than the one in the chair, "
         "hangs here. Log:"
      << log_text(st->rec.events()) << kLesson;
  const std::string broken = check_log(st->rec.events());
  EXPECT_TRUE(broken.empty()) << broken << ". Log:" << log_text(st->rec.events()) << kLesson;
}

TEST(BarbershopTest, ManyCustomersComeBackUntilServed) {
  constexpr int kCustomers = 60;
  auto st = std::make_shared<Scene>(2);
  Crew crew;
  crew.spawn([st] { st->shop.barber(kCustomers, st->rec.cut_hair()); });
  for (int id = 0; id < kCustomers; ++id) {
    crew.spawn([st, id] {
      // A customer who balks comes back later, until served.
      while (!st->shop.customer(id, st->rec.get_hair_cut(id))) std::this_thread::yield();
      st->rec.record(Ev::kLeft, id);
    });
  }
  ASSERT_TRUE(crew.finish([&] { return st->rec.events().size(); })) << kCustomers << " customers, 2 chairs, each customer comes back after a balk until "
                             << "served; the barber serves " << kCustomers << ": not finished. Log (last events "
                             << "matter):" << log_text(st->rec.events()) << kLesson;
  const std::string broken = check_log(st->rec.events());
  EXPECT_TRUE(broken.empty()) << broken << kLesson;
  EXPECT_EQ(waiting_now(st), 0) << "everyone was served: the waiting room must be empty" << kLesson;
}

// ---- Sim tests: every schedule under the explorer; elsewhere 20 runs on real threads, under the watchdog. ----

// Runs `body`: in the sim build as it is (the explorer reports a deadlock itself, with the schedule and the
// explain() text); on real threads under the watchdog, so that a stuck scene fails with `if_stuck` instead of
// hanging the run. `body` must own what it uses (a shared_ptr).
void watched(std::function<void()> body, const std::string& if_stuck) {
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), kPatience))
      << "not finished after " << kPatience.count() << " ms (a correct shop takes microseconds here): " << if_stuck
      << ". The explorer shows the schedule: ./conclab explore 08.10" << kLesson;
}

constexpr const char* kAboutToSleep =
    "one barber (barber(1, ...)) and one customer, 1 chair: the threads are stuck. Look at where the barber was "
    "when the customer arrived: if he had looked at the empty waiting room but was not asleep yet, a notify sent "
    "then was lost. The barber must check and sleep as one step (a predicate wait under the mutex the customer "
    "sits down under), or sleep on a semaphore that counts arrivals. If the barber cut and the customer is stuck in "
    "getHairCut (or the other way round), the two callbacks were not allowed to run at the same time";

CONCLAB_SIM_TEST(BarbershopTest, BarberAboutToSleepStillHearsTheCustomer) {
  conclab::sim::explain(std::string(kAboutToSleep) + kLesson);
  struct State {
    Recorder rec{/*rendezvous=*/true};
    lab::Barbershop shop{1};
  };
  auto st = std::make_shared<State>();
  watched(
      [st] {
        sync::jthread barber([&] { st->shop.barber(1, st->rec.cut_hair()); });
        st->rec.record(st->shop.customer(5, st->rec.get_hair_cut(5)) ? Ev::kLeft : Ev::kBalked, 5);
      },
      kAboutToSleep);
  if (::testing::Test::HasFatalFailure()) return;
  const std::string broken = check_log(st->rec.events());
  EXPECT_TRUE(broken.empty()) << broken << ". Log:" << log_text(st->rec.events()) << kLesson;
  EXPECT_EQ(st->rec.cuts(), "5") << kLesson;
}

constexpr const char* kTwoCustomers =
    "the barber serves 2; customer 1 comes in, and customer 2 comes in while customer 1 is in the chair (2 "
    "chairs): the threads are stuck. A customer waits for HIS call to the chair, and then for the end of HIS "
    "haircut; the barber waits for a customer, then for that customer to get up. If one of them waits for a signal "
    "that was meant for the other (or was sent before it waited, with nothing to remember it), all stop";

CONCLAB_SIM_TEST(BarbershopTest, TwoCustomersTakeTurnsInTheChair) {
  conclab::sim::explain(std::string(kTwoCustomers) + kLesson);
  struct State {
    Tape rec;
    lab::Barbershop shop{2};
  };
  auto st = std::make_shared<State>();
  watched(
      [st] {
        sync::jthread second;  // customer 2, started by customer 1's getHairCut
        auto served = [&](int id, std::function<void()> during) {
          auto get = st->rec.get_hair_cut(id);
          st->rec.record(st->shop.customer(id, [&] { during(); get(); }) ? Ev::kLeft : Ev::kBalked, id);
        };
        {
          sync::jthread first([&] {
            served(1, [&] { second = sync::jthread([&] { served(2, [] {}); }); });
          });
          st->shop.barber(2, st->rec.cut_hair());
        }
        second = sync::jthread();  // joins customer 2
      },
      kTwoCustomers);
  if (::testing::Test::HasFatalFailure()) return;
  const std::string broken = check_log(st->rec.events());
  EXPECT_TRUE(broken.empty()) << broken << ". Log:" << log_text(st->rec.events()) << kLesson;
  EXPECT_EQ(st->rec.cuts(), "1 2") << "customer 2 came in while customer 1 was in the chair: the barber cuts 1, "
                                   << "then 2" << kLesson;
}

constexpr const char* kOneBalks =
    "1 chair, no barber yet, two customers: exactly one of them should sit down and the other balk; the test waits "
    "for the balk, then runs barber(1, ...). The threads are stuck: either nobody balked (both sat in a shop with "
    "one chair: an off-by-one at the chairs), or both balked and the barber waits for a customer who never comes, "
    "or a balk left the lock held";

CONCLAB_SIM_TEST(BarbershopTest, OneChairTwoCustomersOneBalks) {
  conclab::sim::explain(std::string(kOneBalks) + kLesson);
  struct State {
    Tape rec;
    lab::Barbershop shop{1};
    sync::counting_semaphore<2> balked{0};
  };
  auto st = std::make_shared<State>();
  watched(
      [st] {
        auto customer = [&](int id) {
          if (st->shop.customer(id, st->rec.get_hair_cut(id))) {
            st->rec.record(Ev::kLeft, id);
          } else {
            st->rec.record(Ev::kBalked, id);
            st->balked.release();
          }
        };
        sync::jthread a([&] { customer(1); });
        sync::jthread b([&] { customer(2); });
        st->balked.acquire();
        EXPECT_EQ(st->shop.waiting(), 1) << "one customer sits in the only chair and the other balked: waiting() "
                                         << "must be 1. A balk takes no chair and leaves no count behind" << kLesson;
        st->shop.barber(1, st->rec.cut_hair());
      },
      kOneBalks);
  if (::testing::Test::HasFatalFailure()) return;
  const std::string broken = check_log(st->rec.events());
  EXPECT_TRUE(broken.empty()) << broken << ". Log:" << log_text(st->rec.events()) << kLesson;
  EXPECT_EQ(st->rec.cuts().size(), 1u) << "exactly one customer was served (the other balked); the barber cut: "
                                       << st->rec.cuts() << kLesson;
}

}  // namespace
