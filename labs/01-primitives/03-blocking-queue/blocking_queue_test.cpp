// Graded tests for lab 01.03, the blocking queue.
//
// Most tests run the queue on a ScriptedCondVar (below): a condition variable that behaves like a real one
// (a wait() releases the queue's mutex, blocks, and re-takes the mutex when notified) but lets the test decide
// the awkward things a real one may do at any time: wake up spuriously, wake waiters in a chosen order, or let
// a woken thread lose the race for the mutex. The test then waits until every thread it started is either
// blocked in a wait, held, or finished ("quiet"), and looks at the result. No sleeps, no timing: every run
// takes the same path.
//
// The sim tests (CONCLAB_SIM_TEST, at the end) run the queue on its own condition variable. In the sim build
// the explorer runs each of them on every schedule with up to two preemptions, with a spurious wakeup tried at
// every wait, and checks every plain access for a data race: it finds the bugs that only one interleaving
// shows (a notify sent before the item is in, room checked under one lock and used under another, size()
// read without the lock). In the other builds they run 20 times on real threads.
#include <blocking_queue.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "conclab/run_threads.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"

namespace {

constexpr const char* kLesson = " (lesson: modules/01-primitives/03-condition-variables.md)";

// Thrown out of a scripted wait when the test tears a scenario down (e.g. to free threads that got stuck).
struct Aborted {};

// Shared state of every ScriptedCondVar in a test, and the bookkeeping of the threads the test starts.
// Everything is guarded by mu_.
class Script {
 public:
  struct Waiter {
    bool notified = false;
  };
  struct Held {
    bool released = false;
  };
  struct Outcome {
    bool finished = false;
    bool aborted = false;
    std::string error;  // what the thread threw, if anything
  };

  Script() { current_ = this; }
  ~Script() { current_ = nullptr; }
  Script(const Script&) = delete;
  Script& operator=(const Script&) = delete;

  static Script& current() {
    if (current_ == nullptr) throw std::logic_error("a ScriptedCondVar was created outside a Scene");
    return *current_;
  }

  // --- knobs (called by the test thread) ---

  // The next n waits (by any thread, on any ScriptedCondVar) return at once, without a notify.
  void spurious_wakeups(int n) {
    conclab::sync::lock_guard in(mu_);
    spurious_left_ = n;
  }
  // Every wait returns at once: the most spurious a condition variable is allowed to be.
  void always_spurious(bool on) {
    conclab::sync::lock_guard in(mu_);
    always_spurious_ = on;
  }
  // While on, a notified waiter stops before re-taking the queue's mutex, until release_oldest_held().
  // That is the moment in which another thread can get to the mutex first.
  void hold_woken(bool on) {
    conclab::sync::lock_guard in(mu_);
    hold_ = on;
  }
  // Lets the longest-held thread go on. Returns false if nobody is held.
  bool release_oldest_held() {
    conclab::sync::lock_guard in(mu_);
    if (held_.empty()) return false;
    held_.front()->released = true;
    held_.pop_front();
    changed_.notify_all();
    return true;
  }
  // Every current and future wait throws Aborted.
  void abort() {
    conclab::sync::lock_guard in(mu_);
    aborted_ = true;
    changed_.notify_all();
  }

  // --- what the test observes ---

  int waits() {
    conclab::sync::lock_guard in(mu_);
    return waits_;
  }
  int blocked() {
    conclab::sync::lock_guard in(mu_);
    return blocked_;
  }
  int spurious_left() {
    conclab::sync::lock_guard in(mu_);
    return spurious_left_;
  }
  int errors() {
    conclab::sync::lock_guard in(mu_);
    return errors_;
  }
  Outcome outcome(int thread) {
    conclab::sync::lock_guard in(mu_);
    return outcomes_.at(static_cast<std::size_t>(thread));
  }
  // Blocks until every thread the test started is blocked in a wait, held, or finished.
  void await_quiet() {
    conclab::sync::unique_lock in(mu_);
    changed_.wait(in, [&] { return running_locked() == 0; });
  }
  // Blocks until `ready(waits, errors, finished)` holds.
  void await(const std::function<bool(int waits, int errors, int finished)>& ready) {
    conclab::sync::unique_lock in(mu_);
    changed_.wait(in, [&] { return ready(waits_, errors_, finished_); });
  }

  // --- used by ScriptedCondVar ---

  void wait(std::deque<Waiter*>& waiters, conclab::sync::unique_lock<conclab::sync::mutex>& lock) {
    conclab::sync::unique_lock in(mu_);
    ++waits_;
    changed_.notify_all();
    if (aborted_) throw Aborted{};
    if (spurious_left_ > 0 || always_spurious_) {
      if (spurious_left_ > 0) --spurious_left_;
      in.unlock();
      lock.unlock();
      conclab::sync::this_thread::yield();
      lock.lock();
      return;  // woke up, and nobody notified
    }
    Waiter me;
    waiters.push_back(&me);
    ++blocked_;
    changed_.notify_all();
    // Release the queue's mutex only now that we are registered: a notify that follows a change made
    // under that mutex cannot miss us (a real condition variable makes the same promise).
    lock.unlock();
    changed_.wait(in, [&] { return me.notified || aborted_; });
    if (!me.notified) {
      waiters.erase(std::find(waiters.begin(), waiters.end(), &me));
      --blocked_;
    } else if (hold_ && !aborted_) {
      Held h;
      held_.push_back(&h);
      changed_.notify_all();
      changed_.wait(in, [&] { return h.released || aborted_; });
      if (!h.released) held_.erase(std::find(held_.begin(), held_.end(), &h));
    }
    const bool aborted = aborted_;
    in.unlock();
    lock.lock();
    if (aborted) throw Aborted{};
  }

  void notify(std::deque<Waiter*>& waiters, bool all) {
    conclab::sync::lock_guard in(mu_);
    while (!waiters.empty()) {
      waiters.front()->notified = true;  // oldest waiter first: the order is part of the script
      waiters.pop_front();
      --blocked_;
      if (!all) break;
    }
    changed_.notify_all();
  }

  // --- thread bookkeeping, used by Crew ---

  int thread_started() {
    conclab::sync::lock_guard in(mu_);
    outcomes_.emplace_back();
    ++started_;
    return started_ - 1;
  }
  void thread_finished(int thread, bool aborted, std::string error) {
    conclab::sync::lock_guard in(mu_);
    Outcome& o = outcomes_.at(static_cast<std::size_t>(thread));
    o.finished = true;
    o.aborted = aborted;
    o.error = std::move(error);
    if (!aborted && !o.error.empty()) ++errors_;
    ++finished_;
    changed_.notify_all();
  }

 private:
  int running_locked() const {
    return started_ - finished_ - blocked_ - static_cast<int>(held_.size());
  }

  static inline Script* current_ = nullptr;

  conclab::sync::mutex mu_;
  conclab::sync::condition_variable changed_;  // notified on every change below
  int spurious_left_ = 0;            // guarded by mu_
  bool always_spurious_ = false;     // guarded by mu_
  bool hold_ = false;                // guarded by mu_
  bool aborted_ = false;             // guarded by mu_
  int waits_ = 0;                    // guarded by mu_: wait() calls so far
  int blocked_ = 0;                  // guarded by mu_: waiters not yet notified
  std::deque<Held*> held_;           // guarded by mu_: woken, stopped before re-taking the queue's mutex
  int started_ = 0;                  // guarded by mu_
  int finished_ = 0;                 // guarded by mu_
  int errors_ = 0;                   // guarded by mu_: threads that ended with an exception (not Aborted)
  std::vector<Outcome> outcomes_;    // guarded by mu_
};

// A condition variable driven by the current Script. It keeps its own list of waiters, so two of them (the
// final queue's not_empty_ and not_full_) are as independent as two real ones; notify_one() wakes the oldest.
class ScriptedCondVar {
 public:
  ScriptedCondVar() : script_(Script::current()) {}
  ~ScriptedCondVar() = default;
  ScriptedCondVar(const ScriptedCondVar&) = delete;
  ScriptedCondVar& operator=(const ScriptedCondVar&) = delete;

  void wait(conclab::sync::unique_lock<conclab::sync::mutex>& lock) { script_.wait(waiters_, lock); }
  template <class Predicate>
  void wait(conclab::sync::unique_lock<conclab::sync::mutex>& lock, Predicate ready) {
    while (!ready()) wait(lock);  // what the standard says wait(lock, pred) is
  }
  void notify_one() { script_.notify(waiters_, false); }
  void notify_all() { script_.notify(waiters_, true); }

 private:
  Script& script_;
  std::deque<Script::Waiter*> waiters_;  // guarded by script_'s mutex
};

// The threads of one test. Destroyed first: frees any stuck thread (Aborted) and joins them all.
class Crew {
 public:
  explicit Crew(Script& script) : script_(script) {}
  Crew(const Crew&) = delete;
  Crew& operator=(const Crew&) = delete;
  ~Crew() {
    script_.abort();
    for (auto& t : threads_) t.join();
  }

  // Starts a thread that runs body. If the thread cannot be started (std::system_error: out of threads or
  // memory), the script is told that it finished before the error is thrown on, so no await_quiet() can wait
  // for a thread that never ran: the test fails, saying why, instead of hanging.
  int spawn(std::function<void()> body) {
    const int id = script_.thread_started();
    try {
      start(id, std::move(body));
    } catch (const std::exception& e) {
      const std::string why = std::string("the test could not start a thread (") + e.what() +
                              "): the machine is out of threads or memory. This is not a bug in your queue; run "
                              "the tests again with fewer programs running";
      script_.thread_finished(id, false, why);
      throw std::runtime_error(why);
    }
    return id;
  }

 private:
  void start(int id, std::function<void()> body) {
    threads_.emplace_back([this, id, body = std::move(body)] {
      bool aborted = false;
      std::string error;
      try {
        body();
      } catch (const Aborted&) {
        aborted = true;
      } catch (const std::exception& e) {
        error = e.what();
        if (error.empty()) error = "an exception with no message";
      } catch (...) {
        error = "an exception that is not a std::exception";
      }
      script_.thread_finished(id, aborted, std::move(error));
    });
  }

  Script& script_;
  std::vector<conclab::sync::thread> threads_;
};

using ScriptedQueue = lab::BlockingQueue<int, ScriptedCondVar>;

// One test's world. Member order matters: the script exists before the queue's condition variables are
// built, and the crew is destroyed (its threads joined) before the queue they use. Anything else the threads
// write to must be declared before the Scene, so that it outlives them too.
struct Scene {
  explicit Scene(std::size_t capacity) : queue(capacity) {}
  Script script;
  ScriptedQueue queue;
  Crew crew{script};

  // Starts a thread that pops one item into `slot`.
  int consumer(std::optional<int>& slot) {
    return crew.spawn([this, &slot] { slot = queue.pop(); });
  }
  int producer(int value) {
    return crew.spawn([this, value] { queue.push(value); });
  }
};

std::string describe(const Script::Outcome& o) {
  if (!o.finished) return "still waiting";
  if (o.aborted) return "stopped by the test";
  if (!o.error.empty()) return "threw: " + o.error;
  return "returned";
}

// ---------------------------------------------------------------------------------------------------------

TEST(BlockingQueueTest, PopReturnsItemsInFifoOrder) {
  lab::BlockingQueue<int> queue(8);
  for (int i = 1; i <= 5; ++i) queue.push(i);
  EXPECT_EQ(queue.size(), 5u) << "after five pushes into a queue of capacity 8, size() must be 5: each push() adds "
                                 "exactly one item, and size() counts what is in the queue" << kLesson;
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(queue.pop(), i) << "1..5 were pushed in that order, so pop() number " << i << " must return " << i
                              << ": pop() takes the OLDEST item (push_back, then pop_front: first in, first out)"
                              << kLesson;
  }
  EXPECT_EQ(queue.size(), 0u) << "five pushes and five pops leave the queue empty, so size() must be 0" << kLesson;
  EXPECT_EQ(queue.capacity(), 8u) << "capacity() must return what the constructor was given (8), whatever the queue "
                                     "holds";
}

TEST(BlockingQueueTest, RejectsZeroCapacity) {
  EXPECT_THROW(lab::BlockingQueue<int>(0), std::invalid_argument)
      << "a queue with room for nothing would block every push forever; the constructor must reject capacity 0";
}

TEST(BlockingQueueTest, PopBlocksUntilPush) {
  std::optional<int> got;
  Scene s(4);
  const int consumer = s.consumer(got);
  s.script.await_quiet();

  ASSERT_FALSE(s.script.outcome(consumer).finished)
      << "pop() on an empty queue must wait until an item arrives, but it " << describe(s.script.outcome(consumer))
      << kLesson;
  EXPECT_EQ(s.script.blocked(), 1) << "pop() on an empty queue must block in a wait on the condition variable (the "
                                      "queue's CondVar), not spin or sleep: a waiting thread costs nothing until a "
                                      "push() notifies it" << kLesson;

  s.queue.push(42);
  s.script.await_quiet();
  const auto o = s.script.outcome(consumer);
  EXPECT_TRUE(o.finished && o.error.empty())
      << "push() must wake the consumer waiting in pop(); the consumer " << describe(o)
      << ". Did push() notify the condition variable pop() waits on?" << kLesson;
  EXPECT_EQ(got, std::optional<int>(42)) << "the consumer waited on an empty queue and the test pushed 42: its pop() "
                                            "must return exactly that item" << kLesson;
}

TEST(BlockingQueueTest, PushBlocksWhileFull) {
  Scene s(2);
  s.queue.push(1);
  s.queue.push(2);
  const int producer = s.producer(3);
  s.script.await_quiet();

  ASSERT_FALSE(s.script.outcome(producer).finished)
      << "push() on a full queue (capacity 2, holding 2) must wait for room, but it "
      << describe(s.script.outcome(producer)) << kLesson;
  EXPECT_EQ(s.queue.size(), 2u) << "a queue of capacity 2 holding 2 items is full: a push() must wait for room, "
                                    "not add a third item (is the room check `size < capacity`, not `<=`?)"
                                 << kLesson;

  EXPECT_EQ(s.queue.pop(), 1) << "the queue holds 1 then 2 (the producer of 3 is waiting for room): pop() must return "
                                 "the oldest item, 1" << kLesson;
  s.script.await_quiet();
  const auto o = s.script.outcome(producer);
  EXPECT_TRUE(o.finished && o.error.empty())
      << "pop() must wake the producer waiting for room in push(); the producer " << describe(o)
      << ". Did pop() notify the condition variable push() waits on?" << kLesson;
  EXPECT_EQ(s.queue.pop(), 2) << "1 was popped; 2 was pushed before the producer of 3 had room, so 2 comes next"
                              << kLesson;
  EXPECT_EQ(s.queue.pop(), 3) << "the producer that waited for room must have added its item last" << kLesson;
}

TEST(BlockingQueueTest, SpuriousWakeupDoesNotPopFromEmptyQueue) {
  std::optional<int> got;
  Scene s(4);
  s.script.spurious_wakeups(1);  // the first wait returns at once, with nothing pushed and nobody notifying
  const int consumer = s.consumer(got);
  s.script.await_quiet();

  const auto o = s.script.outcome(consumer);
  EXPECT_FALSE(o.finished)
      << "the consumer's wait() returned spuriously (no push, no notify: the standard allows this at any time). "
         "pop() must check the queue again and go back to waiting, but it "
      << describe(o) << ". Wait in a loop, `while (items_.empty()) cv.wait(lock);`, or pass the predicate to wait()"
      << kLesson;
  EXPECT_EQ(s.script.spurious_left(), 0) << "pop() on an empty queue must wait on the condition variable (the test "
                                            "armed one spurious wakeup, and no wait() used it)" << kLesson;

  if (!o.finished) {
    s.queue.push(7);
    s.script.await_quiet();
    EXPECT_EQ(got, std::optional<int>(7))
        << "the consumer went back to waiting after a spurious wakeup (good); the test then pushed 7, and its pop() "
           "must return it: a push() must still notify the consumer that waits again" << kLesson;
  }
}

TEST(BlockingQueueTest, SpuriousWakeupDoesNotOverfill) {
  Scene s(1);
  s.queue.push(1);  // now full
  s.script.spurious_wakeups(1);
  const int producer = s.producer(2);
  s.script.await_quiet();

  const auto o = s.script.outcome(producer);
  EXPECT_FALSE(o.finished) << "the producer's wait() returned spuriously while the queue was full. push() must check "
                              "for room again and go back to waiting, but it "
                           << describe(o) << kLesson;
  EXPECT_EQ(s.queue.size(), 1u) << "a queue of capacity 1 now holds " << s.queue.size()
                                << " items: push() took a spurious wakeup as proof that there was room" << kLesson;

  if (s.queue.size() != 1u) return;  // overfilled: reported above; the pops below would not teach anything more
  EXPECT_EQ(s.queue.pop(), 1) << "the queue holds the 1 pushed first: pop() must return it" << kLesson;
  s.script.await_quiet();
  EXPECT_TRUE(s.script.outcome(producer).finished)
      << "pop() made room in a full queue, so it must wake the producer waiting for room; the producer "
      << describe(s.script.outcome(producer)) << ". Does pop() notify the condition variable push() waits on?"
      << kLesson;
  EXPECT_EQ(s.queue.pop(), 2) << "the producer that waited for room must have pushed its 2" << kLesson;
}

TEST(BlockingQueueTest, WakeupStolenByAnotherConsumerIsRechecked) {
  // Consumer A waits. A push notifies A, but before A gets the mutex back another consumer (the test
  // thread) pops the item. When A finally runs, the queue is empty again.
  //
  //   A: pop(): empty, wait ......... notified ... (held) .................. re-takes mutex: queue EMPTY
  //   test:                  push(1) ........................ pop() -> 1
  std::optional<int> got;
  Scene s(4);
  const int a = s.consumer(got);
  s.script.await_quiet();
  ASSERT_FALSE(s.script.outcome(a).finished)
      << "pop() on an empty queue must wait, but it " << describe(s.script.outcome(a)) << kLesson;

  s.script.hold_woken(true);
  s.queue.push(1);
  s.script.await_quiet();  // A is notified and held before re-taking the mutex
  EXPECT_EQ(s.queue.pop(), 1) << "the item 1 is in the queue (consumer A was notified but has not run yet): this "
                                 "pop() must return it at once" << kLesson;
  s.script.hold_woken(false);
  s.script.release_oldest_held();
  s.script.await_quiet();

  const auto o = s.script.outcome(a);
  EXPECT_FALSE(o.finished) << "consumer A was notified, but another consumer took the item before A re-took the "
                              "mutex. A must find the queue empty and wait again, but it "
                           << describe(o) << ". Being notified means 'look again', not 'there is an item for you'"
                           << kLesson;
  if (!o.finished) {
    s.queue.push(2);
    s.script.await_quiet();
    EXPECT_EQ(got, std::optional<int>(2)) << "consumer A went back to waiting after its item was taken (good); the "
                                             "next push, 2, must reach it" << kLesson;
  }
}

TEST(BlockingQueueTest, ProducersAndConsumersWaitingTogetherAllFinish) {
  // Capacity 1. Consumers C1 and C2 wait for an item. The test pushes `a` (C1, or both, are notified but held
  // before they re-take the mutex); then producer P pushes `b`, finds the queue full, and waits too. Now
  // consumers and a producer are waiting at the same time. Held threads are then let go one by one.
  // Whatever the design, everyone must finish: C1 and C2 get a and b, P gets its push in.
  //
  // The trap this catches: ONE condition variable and notify_one(). C1 pops `a` and notifies one waiter: the
  // oldest is C2, a consumer, which finds the queue empty and waits again. P, the one thread that could run,
  // is never woken:  C2 waits for an item, P waits for room, the queue is empty, and nobody is left to notify.
  std::optional<int> got1, got2;
  Scene s(1);
  const int c1 = s.consumer(got1);
  s.script.await_quiet();
  const int c2 = s.consumer(got2);
  s.script.await_quiet();
  ASSERT_EQ(s.script.blocked(), 2) << "two pop()s on an empty queue must both block in a wait on the condition "
                                      "variable" << kLesson;

  s.script.hold_woken(true);
  s.queue.push(10);
  s.script.await_quiet();
  const int p = s.producer(20);
  s.script.await_quiet();
  ASSERT_FALSE(s.script.outcome(p).finished)
      << "push() on a full queue (capacity 1) must wait while the consumer that was notified has not run yet, but it "
      << describe(s.script.outcome(p)) << " (is the room check `size < capacity`?)" << kLesson;

  for (int round = 0; round < 20 && s.script.release_oldest_held(); ++round) s.script.await_quiet();

  std::string stuck;
  const std::pair<const char*, int> threads[] = {{"consumer C1", c1}, {"consumer C2", c2}, {"producer P", p}};
  for (const auto& [name, id] : threads) {
    const auto o = s.script.outcome(id);
    EXPECT_TRUE(o.finished && o.error.empty())
        << name << " " << describe(o) << ": with consumers and a producer waiting at once, every one must finish"
        << kLesson;
    if (!o.finished) stuck += std::string(stuck.empty() ? "" : ", ") + name;
  }
  EXPECT_TRUE(stuck.empty())
      << stuck << " never finished although the queue now holds " << s.queue.size()
      << " item(s): a notify woke a thread of the wrong kind (a consumer when only a producer could go on, or "
         "the other way round), which went back to waiting, and the thread that could run was never woken. "
         "With one condition variable for both kinds of waiter, use notify_all(); or give each kind its own "
         "condition variable (not_empty_, not_full_) and notify_one() the right one"
      << kLesson;
  std::multiset<int> popped;
  if (got1) popped.insert(*got1);
  if (got2) popped.insert(*got2);
  if (stuck.empty()) {
    EXPECT_EQ(popped, (std::multiset<int>{10, 20}))
        << "10 and 20 were pushed for two consumers: each consumer must get one of them, and no item twice" << kLesson;
  }
}

TEST(BlockingQueueTest, TwoPushesWakeTwoWaitingConsumers) {
  // Consumers C1 and C2 wait on an empty queue; the test pushes twice before either gets to run. Each
  // item must reach a consumer. The trap: notifying only when the queue goes from empty to non-empty.
  // The first push wakes C1; the second sees a non-empty queue and notifies nobody, so C2 sleeps on
  // beside an item it could take.
  std::optional<int> got1, got2;
  Scene s(4);
  const int c1 = s.consumer(got1);
  s.script.await_quiet();
  const int c2 = s.consumer(got2);
  s.script.await_quiet();
  ASSERT_EQ(s.script.blocked(), 2) << "two pop()s on an empty queue must both block in a wait on the condition "
                                      "variable" << kLesson;

  s.script.hold_woken(true);  // woken consumers wait here, so both pushes happen before either pops
  s.queue.push(1);
  s.queue.push(2);
  s.script.await_quiet();
  for (int round = 0; round < 20 && s.script.release_oldest_held(); ++round) s.script.await_quiet();

  const auto o1 = s.script.outcome(c1);
  const auto o2 = s.script.outcome(c2);
  EXPECT_TRUE(o1.finished && o1.error.empty() && o2.finished && o2.error.empty())
      << "two items were pushed for two waiting consumers, but consumer C1 " << describe(o1) << " and consumer C2 "
      << describe(o2) << ", with " << s.queue.size()
      << " item(s) left in the queue. Every push must notify: a push that finds the queue already non-empty "
         "may still have a consumer waiting for it (a notify is cheap when nobody waits)"
      << kLesson;
}

// ---------------------------------------------------------------------------------------------------------
// Sim tests.

using SimQueue = lab::BlockingQueue<int>;

// pop() on the calling thread; an exception (a pop() that went on from an empty queue) fails the test with it.
std::optional<int> pop_or_fail(SimQueue& queue, const char* who) {
  try {
    return queue.pop();
  } catch (const std::exception& e) {
    ADD_FAILURE() << who << "'s pop() threw: " << e.what()
                  << ". pop() must not throw on a queue that will get an item. If it went on from an EMPTY queue, it "
                     "returned from a wait and did not check again that there was an item: a wakeup (spurious, or "
                     "one whose item another consumer took) is a hint, not a promise. Wait with a predicate"
                  << kLesson;
    return std::nullopt;
  }
}

CONCLAB_SIM_TEST(BlockingQueueTest, PopOnAnotherThreadGetsThePush) {
  conclab::sim::explain(
      "the consumer sleeps in pop() and nobody will wake it, although the test pushed an item: the notify that "
      "push() sent was not one the consumer could see. Notify AFTER the item is in (under the lock, or right "
      "after unlocking it), never before taking the lock, and on the condition variable pop() waits on" +
      std::string(kLesson));
  SimQueue queue(1);
  std::optional<int> got;
  {
    conclab::sync::jthread consumer([&] { got = pop_or_fail(queue, "the consumer"); });
    queue.push(1);
  }  // joined
  EXPECT_EQ(got, std::optional<int>(1)) << "a consumer popped while the test pushed 1 into an empty queue of capacity "
                                           "1: its pop() must wait for the push and return 1"
                                        << kLesson;
}

// Two consumers pop while the test's thread pushes 1 and 2 into a queue of the given capacity.
void two_consumers_get_two_pushes(std::size_t capacity) {
  SimQueue queue(capacity);
  std::optional<int> got1, got2;
  {
    conclab::sync::jthread c1([&] { got1 = pop_or_fail(queue, "consumer C1"); });
    conclab::sync::jthread c2([&] { got2 = pop_or_fail(queue, "consumer C2"); });
    queue.push(1);
    queue.push(2);
  }  // joined
  std::multiset<int> popped;
  if (got1) popped.insert(*got1);
  if (got2) popped.insert(*got2);
  EXPECT_EQ(popped, (std::multiset<int>{1, 2}))
      << "two consumers popped while the test pushed 1 and 2 (capacity " << capacity
      << "): each consumer must get one of the two items, and no item twice" << kLesson;
}

CONCLAB_SIM_TEST(BlockingQueueTest, TwoPushesReachTwoWaitingConsumers) {
  conclab::sim::explain(
      "a consumer sleeps in pop() next to an item: the test pushed twice while both consumers waited, and the "
      "second push() notified nobody. Every push must notify: a push into a queue that is not empty may still "
      "have a consumer waiting for it (the one woken by the first push may not have run yet)" +
      std::string(kLesson));
  two_consumers_get_two_pushes(2);
}

CONCLAB_SIM_TEST(BlockingQueueTest, ProducerAndTwoConsumersOnOneSlotAllFinish) {
  conclab::sim::explain(
      "with a queue of capacity 1, the test's push() waits for room while a consumer waits for an item, and "
      "nobody will wake either: a notify_one() woke a thread of the wrong kind (a consumer when only the "
      "producer could go on), which went back to sleep. With ONE condition variable for both kinds of waiter, "
      "use notify_all(); or give each kind its own (not_empty_, not_full_) and notify_one() the right one" +
      std::string(kLesson));
  two_consumers_get_two_pushes(1);
}

CONCLAB_SIM_TEST(BlockingQueueTest, TwoProducersNeverOverfillOneSlot) {
  conclab::sim::explain(
      "a thread waits forever in push() or pop(): a change to the queue was not followed by a notify on the "
      "condition variable the other side waits on" +
      std::string(kLesson));
  SimQueue queue(1);
  std::multiset<int> popped;
  {
    conclab::sync::jthread p1([&] { queue.push(1); });
    conclab::sync::jthread p2([&] { queue.push(2); });
    for (int i = 0; i < 2; ++i) {
      const std::size_t size = queue.size();
      EXPECT_LE(size, 1u)
          << "two producers push into a queue of capacity 1, and size() is " << size
          << ": a push() went ahead with no room. Check for room and add the item in ONE critical section (a "
             "thread that saw room, unlocked and locked again may find the slot taken), re-check after every "
             "wakeup (`while`, or a predicate), and compare `size < capacity`"
          << kLesson;
      if (const auto v = pop_or_fail(queue, "the test's thread")) popped.insert(*v);
    }
  }  // joined
  EXPECT_EQ(popped, (std::multiset<int>{1, 2}))
      << "two producers pushed 1 and 2 into a queue of capacity 1 and the test popped twice: it must get both items"
      << kLesson;
}

TEST(BlockingQueueTest, ManyProducersOneConsumerDeliverEveryItemOnce) {
  // A real std::condition_variable, a small capacity so producers block often, and one consumer.
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 1000;
  lab::BlockingQueue<int> queue(4);
  std::vector<int> received;
  received.reserve(kProducers * kPerProducer);
  try {
    conclab::run_threads(kProducers + 1, [&](int i) {
      if (i == 0) {
        for (int k = 0; k < kProducers * kPerProducer; ++k) received.push_back(queue.pop());
      } else {
        for (int k = 0; k < kPerProducer; ++k) queue.push(i * 100'000 + k);
      }
    });
  } catch (const std::exception& e) {
    FAIL() << "with " << kProducers << " producers and one consumer on a real conclab::sync::condition_variable, a thread "
           << "threw: " << e.what() << kLesson;
  }

  ASSERT_EQ(received.size(), static_cast<std::size_t>(kProducers * kPerProducer))
      << "the consumer popped " << kProducers * kPerProducer << " times, so it must have received that many items"
      << kLesson;
  std::map<int, int> next;  // producer -> the sequence number expected next from it
  int out_of_order = 0;
  for (int v : received) {
    const int producer = v / 100'000;
    const int seq = v % 100'000;
    if (seq != next[producer]) ++out_of_order;
    next[producer] = seq + 1;
  }
  EXPECT_EQ(out_of_order, 0) << "items from one producer must come out in the order it pushed them (FIFO), each "
                                "exactly once; "
                             << out_of_order << " did not" << kLesson;
  for (int producer = 1; producer <= kProducers; ++producer) {
    EXPECT_EQ(next[producer], kPerProducer)
        << "producer " << producer << " pushed " << kPerProducer << " items, but the last one the consumer got from it "
        << "was number " << next[producer] - 1 << ": every item pushed must be popped exactly once" << kLesson;
  }
}

TEST(BlockingQueueTest, ManyProducersAndConsumersSurviveSpuriousWakeups) {
  // Every wait returns at once, as if each were a spurious wakeup. A correct queue just loops (busily), and
  // still delivers every item exactly once.
  constexpr int kConsumers = 3;
  constexpr int kProducers = 2;
  constexpr int kPerProducer = 100;
  constexpr int kStop = -1;
  std::vector<std::vector<int>> received(kConsumers);
  Scene s(4);
  s.script.always_spurious(true);

  for (int c = 0; c < kConsumers; ++c) {
    s.crew.spawn([&s, &mine = received[static_cast<std::size_t>(c)]] {
      for (int v = s.queue.pop(); v != kStop; v = s.queue.pop()) mine.push_back(v);
    });
  }
  // Consumers start on an empty queue, so at least one of them waits (and wakes "spuriously") first.
  s.script.await([](int waits, int errors, int) { return waits >= 1 || errors > 0; });
  for (int p = 1; p <= kProducers; ++p) {
    s.crew.spawn([&s, p] {
      for (int k = 0; k < kPerProducer; ++k) s.queue.push(p * 100'000 + k);
    });
  }
  s.script.await([](int, int errors, int finished) { return finished >= kProducers || errors > 0; });

  bool failed = s.script.errors() > 0;
  if (!failed) {
    for (int c = 0; c < kConsumers; ++c) s.queue.push(kStop);
    s.script.await([](int, int errors, int finished) { return finished == kConsumers + kProducers || errors > 0; });
    failed = s.script.errors() > 0;
  }
  if (failed) s.script.abort();  // free everyone still spinning, so the crew can be joined

  for (int id = 0; id < kConsumers + kProducers; ++id) {
    const auto o = s.script.outcome(id);
    EXPECT_TRUE(o.aborted || o.error.empty())
        << (id < kConsumers ? "a consumer " : "a producer ") << describe(o)
        << ". With a condition variable that wakes up spuriously, every wait must re-check its condition" << kLesson;
  }
  if (failed) return;

  std::set<int> all;
  std::size_t total = 0;
  for (const auto& r : received) {
    all.insert(r.begin(), r.end());
    total += r.size();
  }
  EXPECT_EQ(total, static_cast<std::size_t>(kProducers * kPerProducer))
      << "the producers pushed " << kProducers * kPerProducer << " items and the consumers popped " << total
      << ": every pushed item must be popped exactly once, whatever wakeups the condition variable hands out"
      << kLesson;
  EXPECT_EQ(all.size(), total) << "of " << total << " items popped only " << all.size()
                               << " are different: an item was popped twice (taken under the lock, but not removed "
                                  "before another consumer looked?)" << kLesson;
}

}  // namespace
