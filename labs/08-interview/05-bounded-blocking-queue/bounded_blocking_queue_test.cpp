// Graded tests for drill 08.05, bounded-blocking-queue (LeetCode 1188).
//
// Three kinds of test:
//   - one thread, deterministic everywhere: FIFO order, size(), a queue filled exactly to its capacity;
//   - real threads with the problem's sizes (8 producers, 8 consumers, 1000 items through a queue of 3): every
//     item arrives exactly once and each producer's items in its order. In the ThreadSanitizer build these also
//     catch the data races (two producers pushing at once, size() read without the lock) on every run, because
//     ThreadSanitizer tracks happens-before, not timing;
//   - sim tests (CONCLAB_SIM_TEST): in the sim build the explorer runs each small scene on every schedule with up
//     to two preemptions, with spurious wakeups, and checks every plain read and write for a data race; it
//     reports a thread left asleep forever as a DEADLOCK or LOST WAKEUP. Elsewhere they run 20 times on real
//     threads under a watchdog.
// Hangs end with words: every call that a broken queue can block forever runs under conclab::returns_in_time.
#include <bounded_blocking_queue.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "conclab/sim_test.hpp"
#include "conclab/start_gate.hpp"
#include "conclab/sync.hpp"
#include "conclab/finishes.hpp"
#include "conclab/watchdog.hpp"

namespace {

constexpr const char* kLesson = " (lesson: modules/08-interview/04-queues-and-intersections.md)";

// The watchdogs' patience (conclab/watchdog.hpp): a correct queue takes microseconds for a small call and well
// under a second for the 1000-item tests, even under ThreadSanitizer on a busy machine; a call still blocked after
// this much real time is taken to be blocked for good. Not a timing assertion: it decides nothing for correct code.
const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(1));
const std::chrono::milliseconds kLongPatience = conclab::patience(std::chrono::seconds(10));

// Values no earlier run of the same scene has put in memory. A queue that pops an EMPTY std::deque reads
// whatever the memory held before (often the item of the previous schedule, at the same address); with a new
// value each run that stale read can never pass for the right answer.
int fresh_base() {
  static int next = 1000;
  next += 10;
  return next;
}

// Runs `body`: in the sim build as it is (the explorer reports a deadlock itself, with the schedule); on real
// threads under the watchdog, so that a thread nobody wakes fails the test with `if_stuck`. `body` must own
// what it uses (a shared_ptr): if it never returns, its thread is left behind.
void watched(std::function<void()> body, const std::string& if_stuck) {
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), kPatience))
      << "not finished after " << kPatience.count() / 1000.0 << " s (a correct queue takes microseconds here): "
      << if_stuck << ". The explorer shows the schedule: ./conclab explore 08.05" << kLesson;
}

// ---- One thread: deterministic everywhere. ----

TEST(BoundedBlockingQueueTest, KeepsFifoOrderOnOneThread) {
  auto q = std::make_shared<lab::BoundedBlockingQueue>(3);
  ASSERT_TRUE(conclab::returns_in_time(
      [q] {
        q->enqueue(1);
        q->enqueue(2);
        q->enqueue(3);
      },
      kPatience))
      << "a queue of capacity 3 took 1 and 2, then enqueue(3) blocked: it has room for 3 items, so the third "
      << "enqueue must not wait. Check the condition you wait on: wait WHILE size == capacity (or while "
      << "size >= capacity), not while size + 1 >= capacity" << kLesson;
  EXPECT_EQ(q->size(), 3) << "three items enqueued, none dequeued: size() must be 3" << kLesson;
  auto out = std::make_shared<std::vector<int>>();  // owned by the call too: see returns_in_time
  ASSERT_TRUE(conclab::returns_in_time(
      [q, out] {
        for (int i = 0; i < 3; ++i) out->push_back(q->dequeue());
      },
      kPatience))
      << "three items are in the queue, and a dequeue() blocked: dequeue must wait only while the queue is "
      << "empty" << kLesson;
  EXPECT_EQ(*out, (std::vector<int>{1, 2, 3}))
      << "enqueue 1, 2, 3 then dequeue three times must give 1, 2, 3: the queue is first in, first out" << kLesson;
  EXPECT_EQ(q->size(), 0) << "everything was dequeued: size() must be 0" << kLesson;
}

TEST(BoundedBlockingQueueTest, CapacityOneTakesOneItemWithoutBlocking) {
  auto q = std::make_shared<lab::BoundedBlockingQueue>(1);
  ASSERT_TRUE(conclab::returns_in_time([q] { q->enqueue(7); }, kPatience))
      << "enqueue(7) into an EMPTY queue of capacity 1 blocked: the queue has room for exactly one item. An "
      << "off-by-one in the wait condition (size + 1 >= capacity, or size >= capacity - 1) blocks one item "
      << "early, and at capacity 1 it blocks on the first item" << kLesson;
  EXPECT_EQ(q->size(), 1) << "one item in a queue of capacity 1: size() must be 1" << kLesson;
  auto got = std::make_shared<int>(-1);
  ASSERT_TRUE(conclab::returns_in_time([q, got] { *got = q->dequeue(); }, kPatience))
      << "the queue holds one item and dequeue() blocked" << kLesson;
  EXPECT_EQ(*got, 7) << "dequeue() must return the item that was enqueued" << kLesson;
  EXPECT_EQ(q->size(), 0) << "after the only item was dequeued, size() must be 0" << kLesson;
}

// ---- Real threads, the problem's sizes. ----

// The problem's example 1, larger: one producer, one consumer, a queue of 2 between them.
TEST(BoundedBlockingQueueTest, OneProducerOneConsumerKeepOrder) {
  constexpr int kItems = 200;
  struct State {
    lab::BoundedBlockingQueue q{2};
    std::vector<int> got;  // the consumer's (the test's thread's)
  };
  auto st = std::make_shared<State>();
  const bool finished = conclab::returns_in_time(
      [st] {
        conclab::sync::jthread producer([st] {
          for (int i = 1; i <= kItems; ++i) st->q.enqueue(i);
        });
        for (int i = 0; i < kItems; ++i) st->got.push_back(st->q.dequeue());
      },
      kLongPatience);
  ASSERT_TRUE(finished) << "one producer enqueued 1.." << kItems << " into a queue of capacity 2 while one "
                        << "consumer dequeued " << kItems << " times, and they did not finish: a thread waits "
                        << "and nobody wakes it. After a push, wake a waiting consumer; after a pop, a waiting "
                        << "producer (or use two semaphores, which remember their releases)" << kLesson;
  std::vector<int> expected(kItems);
  for (int i = 0; i < kItems; ++i) expected[static_cast<std::size_t>(i)] = i + 1;
  EXPECT_EQ(st->got, expected) << "one producer, one consumer: the consumer must get 1, 2, ..., " << kItems
                               << " in that order: the queue is FIFO" << kLesson;
  EXPECT_EQ(st->q.size(), 0) << "every item was dequeued: size() must be 0" << kLesson;
}

// The problem's limits: 8 producers and 8 consumers through a queue of 3.
TEST(BoundedBlockingQueueTest, EightProducersEightConsumersMoveEveryItemOnce) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 125;  // 1000 items in all
  struct State {
    lab::BoundedBlockingQueue q{3};
    std::vector<std::vector<int>> got = std::vector<std::vector<int>>(kThreads);  // one per consumer
  };
  auto st = std::make_shared<State>();
  const bool finished = conclab::returns_in_time(
      [st] {
        conclab::StartGate gate(2 * kThreads);
        std::vector<conclab::sync::jthread> threads;
        for (int t = 0; t < kThreads; ++t) {
          threads.emplace_back([st, &gate, t] {
            gate.arrive_and_wait();
            for (int i = 0; i < kPerThread; ++i) st->q.enqueue(t * 1000 + i);  // producer t's i-th item
          });
          threads.emplace_back([st, &gate, t] {
            gate.arrive_and_wait();
            for (int i = 0; i < kPerThread; ++i) st->got[static_cast<std::size_t>(t)].push_back(st->q.dequeue());
          });
        }
        gate.open();
      },
      kLongPatience);
  ASSERT_TRUE(finished) << "8 producers and 8 consumers moving 1000 items through a queue of capacity 3 did not "
                        << "finish: some thread waits for a wakeup that never comes (a notify that went to the "
                        << "wrong side, or nobody notified after the change). ./conclab explore 08.05 shows it on "
                        << "a small scene" << kLesson;
  std::multiset<int> all;
  for (int c = 0; c < kThreads; ++c) {
    const auto& seq = st->got[static_cast<std::size_t>(c)];
    all.insert(seq.begin(), seq.end());
    std::vector<int> last(kThreads, -1);
    for (int v : seq) {
      const int producer = v / 1000;
      ASSERT_TRUE(producer >= 0 && producer < kThreads)
          << "consumer " << c << " dequeued " << v << ", which no producer enqueued: the queue handed out a "
          << "value it never held (a pop from an empty queue, or two threads changing it at once)" << kLesson;
      EXPECT_GT(v % 1000, last[static_cast<std::size_t>(producer)])
          << "consumer " << c << " got producer " << producer << "'s item " << v % 1000 << " after its item "
          << last[static_cast<std::size_t>(producer)] << ": one producer's items must come out in the order it "
          << "put them in (FIFO)" << kLesson;
      last[static_cast<std::size_t>(producer)] = v % 1000;
    }
  }
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const auto n = all.count(t * 1000 + i);
      ASSERT_EQ(n, 1u) << "producer " << t << "'s item " << i << " was dequeued " << n << " times: every item "
                       << "must come out exactly once. Lost or duplicated items mean two threads changed the "
                       << "std::queue at once (it is not thread-safe: guard every access with one mutex)"
                       << kLesson;
    }
  }
  EXPECT_EQ(st->q.size(), 0) << "1000 items in, 1000 out: size() must be 0" << kLesson;
}

// Two producers at once into a queue with room for both: neither has to wait, so only the mutex keeps their
// pushes apart. ThreadSanitizer reports two unordered pushes on every run.
TEST(BoundedBlockingQueueTest, TwoProducersAtOnceBothArrive) {
  auto q = std::make_shared<lab::BoundedBlockingQueue>(2);
  for (int round = 0; round < 20; ++round) {
    const bool pushed = conclab::returns_in_time(
        [q] {
          conclab::StartGate gate(2);
          conclab::sync::jthread a([&] {
            gate.arrive_and_wait();
            q->enqueue(1);
          });
          conclab::sync::jthread b([&] {
            gate.arrive_and_wait();
            q->enqueue(2);
          });
          gate.open();
        },
        kPatience);
    ASSERT_TRUE(pushed) << "two enqueue() calls into an empty queue of capacity 2 did not return: there is room "
                        << "for both" << kLesson;
    ASSERT_EQ(q->size(), 2) << "two producers enqueued one item each into an empty queue of capacity 2 (round "
                            << round << "), and size() is " << q->size() << ": a push was lost or torn. Two "
                            << "threads that both got past the wait push at the same moment; only a mutex around "
                            << "the push keeps them apart (semaphores count, they do not exclude)" << kLesson;
    auto got = std::make_shared<std::set<int>>();
    ASSERT_TRUE(conclab::returns_in_time([q, got] { *got = {q->dequeue(), q->dequeue()}; }, kPatience))
        << "two items in the queue and dequeue() blocked" << kLesson;
    EXPECT_EQ(*got, (std::set<int>{1, 2})) << "both producers' items must come out" << kLesson;
  }
}

// size() while another thread enqueues and dequeues: a read of the queue too.
TEST(BoundedBlockingQueueTest, SizeIsSafeWhileOthersUseTheQueue) {
  constexpr int kItems = 200;
  auto q = std::make_shared<lab::BoundedBlockingQueue>(4);
  auto range = std::make_shared<std::pair<int, int>>(0, 0);  // the lowest and highest size() seen
  const bool finished = conclab::returns_in_time(
      [q, range] {
        conclab::sync::jthread worker([q] {
          for (int i = 0; i < kItems; ++i) {
            q->enqueue(i);
            q->dequeue();
          }
        });
        for (int i = 0; i < kItems; ++i) {
          const int s = q->size();
          range->first = std::min(range->first, s);
          range->second = std::max(range->second, s);
        }
      },
      kLongPatience);
  ASSERT_TRUE(finished) << "one thread enqueued and dequeued in turn while another read size(), and they did "
                        << "not finish" << kLesson;
  EXPECT_TRUE(range->first >= 0 && range->second <= 1)
      << "size() read between 0 and 1 items while one thread enqueued and dequeued in turn, but it returned "
      << range->first << ".." << range->second << ". size() reads the queue that other threads change: take the same mutex" << kLesson;
}

// ---- Sim tests: every schedule in the sim build; 20 runs on real threads (under the watchdog) elsewhere. ----

// One consumer waits on an empty queue; the producer enqueues one item.
CONCLAB_SIM_TEST(BoundedBlockingQueueTest, DequeueOnAnotherThreadGetsTheEnqueue) {
  conclab::sim::explain(
      std::string("the consumer sleeps in dequeue() although the item is in the queue, or the producer sleeps "
                  "in enqueue() although there is room: nobody is left to wake the sleeper. Did the producer "
                  "announce the item (notify, or release the semaphore) before it was in the queue, or never "
                  "after? Or does enqueue() wait one item too early?") +
      kLesson);
  struct State {
    lab::BoundedBlockingQueue q{1};
    int item = fresh_base();
  };
  auto st = std::make_shared<State>();
  watched(
      [st] {
        conclab::sync::jthread consumer([&] {
          const int got = st->q.dequeue();
          EXPECT_EQ(got, st->item)
              << "dequeue() returned " << got << " but the only item ever enqueued is " << st->item
              << ": it took from an EMPTY queue (a std::queue's front() on an empty queue reads whatever the "
              << "memory held). Look at how its wait ended in the schedule below: after a wakeup, check again "
              << "(while, not if: waits wake spuriously); and announce an item only after it is in the queue"
              << kLesson;
          const int s = st->q.size();
          EXPECT_TRUE(s >= 0 && s <= 1) << "after the only item was dequeued, size() is " << s
                                        << ": the queue was popped while empty" << kLesson;
        });
        st->q.enqueue(st->item);
      },
      "a consumer waits for an item that was enqueued, or the producer cannot enqueue into an empty queue");
}

// Two producers at once, room for both: nothing makes either wait, so nothing but a mutex keeps their pushes
// apart.
CONCLAB_SIM_TEST(BoundedBlockingQueueTest, TwoProducersShareTheQueue) {
  struct State {
    lab::BoundedBlockingQueue q{2};
    int base = fresh_base();
  };
  auto st = std::make_shared<State>();
  watched(
      [st] {
        {
          conclab::sync::jthread a([&] { st->q.enqueue(st->base + 1); });
          conclab::sync::jthread b([&] { st->q.enqueue(st->base + 2); });
        }
        const std::set<int> got = {st->q.dequeue(), st->q.dequeue()};
        EXPECT_EQ(got, (std::set<int>{st->base + 1, st->base + 2}))
            << "two producers enqueued one item each; the two dequeues must return both" << kLesson;
      },
      "two producers and a consumer on a queue with room for both did not finish: nobody should wait for long");
}

// The queue is full; a producer must wait until the consumer makes room, and never hold more than capacity.
CONCLAB_SIM_TEST(BoundedBlockingQueueTest, EnqueueIntoAFullQueueWaitsForRoom) {
  conclab::sim::explain(
      std::string("a thread sleeps forever with a full queue of capacity 1 between a producer and a consumer. "
                  "Does the producer hold the mutex while it sleeps (on a semaphore, or anything but a condition "
                  "variable's wait, which releases it)? Then the consumer can never get in to make room") +
      kLesson);
  struct State {
    lab::BoundedBlockingQueue q{1};
    int base = fresh_base();
  };
  auto st = std::make_shared<State>();
  watched(
      [st] {
        st->q.enqueue(st->base + 1);  // now full
        conclab::sync::jthread producer([&] {
          st->q.enqueue(st->base + 2);
          const int s = st->q.size();
          EXPECT_LE(s, 1) << "enqueue() into a full queue of capacity 1 returned, and size() is " << s
                          << ": the queue holds more than its capacity. enqueue() must wait WHILE the queue is "
                          << "full (size == capacity), re-checking after every wakeup (a while loop, or a "
                          << "predicate wait: a wait can end with nothing changed)" << kLesson;
        });
        const int first = st->q.dequeue();
        const int second = st->q.dequeue();
        EXPECT_EQ(first, st->base + 1) << "the first dequeue must return the first item (FIFO)" << kLesson;
        EXPECT_EQ(second, st->base + 2) << "the second dequeue must return the producer's item, " << st->base + 2
                                        << ", but returned " << second
                                        << ": it popped an empty queue (its wait ended before the item was in)"
                                        << kLesson;
      },
      "a producer and a consumer around a full queue of capacity 1 did not finish");
}

// One producer, two consumers, one slot: both sides wait at once, and each wakeup must reach the side that
// can use it.
CONCLAB_SIM_TEST(BoundedBlockingQueueTest, ProducerAndTwoConsumersOnOneSlotAllFinish) {
  conclab::sim::explain(
      std::string("a producer and two consumers share a queue of capacity 1, and everyone left is asleep. If "
                  "producers and consumers wait on ONE condition variable, a notify_one() after a dequeue can wake "
                  "the other consumer instead of the producer: it finds the queue empty and sleeps again, and the "
                  "producer is never told there is room. Use two condition variables (not_full, not_empty), or "
                  "notify_all on the shared one") +
      kLesson);
  struct State {
    lab::BoundedBlockingQueue q{1};
    int base = fresh_base();
  };
  auto st = std::make_shared<State>();
  watched(
      [st] {
        auto consume = [&] {
          const int got = st->q.dequeue();
          EXPECT_TRUE(got == st->base + 1 || got == st->base + 2)
              << "a consumer dequeued " << got << ", which was never enqueued: a pop from an empty queue" << kLesson;
        };
        conclab::sync::jthread c1(consume);
        conclab::sync::jthread c2(consume);
        st->q.enqueue(st->base + 1);
        st->q.enqueue(st->base + 2);
      },
      "a producer and two consumers on a queue of capacity 1 did not finish: a wakeup went to a thread that could "
      "not use it");
}

// size() while another thread enqueues.
CONCLAB_SIM_TEST(BoundedBlockingQueueTest, SizeWhileAnotherThreadEnqueues) {
  struct State {
    lab::BoundedBlockingQueue q{2};
    int item = fresh_base();
  };
  auto st = std::make_shared<State>();
  watched(
      [st] {
        conclab::sync::jthread producer([&] { st->q.enqueue(st->item); });
        const int s = st->q.size();
        EXPECT_TRUE(s == 0 || s == 1) << "size() while one item is being enqueued into an empty queue must be 0 or "
                                      << "1, but is " << s << kLesson;
      },
      "an enqueue into an empty queue and a size() did not finish: neither should ever wait");
}

}  // namespace
