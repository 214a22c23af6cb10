// Graded tests for lab 03.05, the fair reader-writer lock. Lesson: modules/03-classic-problems/05-starvation-and-fairness.md.
//
// Fairness is tested by COUNTING who got in first, never by timing. For that a test must know that a thread
// has arrived (is waiting in lock(), say) before it starts the next one; a sleep would only make that likely.
// The lock tells it: every lock() and lock_shared() calls the arrival hook once, with the lock's mutex held,
// where it registers itself. The test waits for that call (Arrivals below), then starts the next thread. Both
// calls take the lock's mutex, so the lock sees them in that order too. Each thread that gets in takes a
// ticket from Room::entries, so "the writer got in before the reader" is a comparison of two numbers.
//
// Room also checks mutual exclusion: it counts the readers and writers inside, and a writer that finds anyone
// else inside, or a reader that finds a writer, fails the test there. `data` is a plain int that writers write
// and readers read: ThreadSanitizer (and, in the sim build, the explorer) reports a race on it if the lock lets
// a reader in with a writer.
//
// The CONCLAB_SIM_TESTs run under the explorer in the sim build (every schedule with up to two preemptions,
// spurious wakeups included: a thread that sleeps forever is reported as a lost wakeup, with the schedule), and
// 20 times on real threads in the other builds, where watched() turns a hang into a failed test with a message.
#include <rwlock.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "conclab/run_threads.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"
#include "conclab/finishes.hpp"
#include "conclab/watchdog.hpp"

namespace {

namespace sync = conclab::sync;

constexpr const char* kLesson = " (lesson: modules/03-classic-problems/05-starvation-and-fairness.md)";

const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(5));  // conclab/watchdog.hpp

// Arrivals the lock reported through its hook, per role. wait_for() returns once `n` have arrived.
struct Arrivals {
  sync::atomic<int> readers{0};
  sync::atomic<int> writers{0};

  lab::RwLock::ArrivalHook hook() {
    return [this](lab::Role role) {
      sync::atomic<int>& count = role == lab::Role::reader ? readers : writers;
      count.fetch_add(1);
      count.notify_all();
    };
  }
  static void wait_for(sync::atomic<int>& count, int n) {
    for (int seen = count.load(); seen < n; seen = count.load()) count.wait(seen);
  }
};

// Who is inside, the order they got in, and the data the lock protects. `inside` counts readers in its low
// digits and writers in units of kWriter, so one fetch_add both enters and says who was already there.
struct Room {
  static constexpr int kWriter = 1000;
  sync::atomic<int> inside{0};
  sync::atomic<int> entries{0};  // each entry takes the next number: 0, 1, 2...
  int data = 0;                  // written by writers, read by readers: guarded by the lock under test

  // Called right after lock(); returns the writer's place in the order of entries.
  int enter_write(const std::string& who) {
    const int before = inside.fetch_add(kWriter);
    EXPECT_LT(before, kWriter) << who << " got in while another writer was inside: lock() must wait until no "
                               << "writer holds the lock (did a wait end without re-checking its condition? wait "
                               << "in a loop, or with a predicate)" << kLesson;
    EXPECT_EQ(before % kWriter, 0) << who << " got in while " << before % kWriter << " reader(s) were inside: "
                                   << "lock() must wait until no reader holds the lock either" << kLesson;
    data += 1;
    return entries.fetch_add(1);
  }
  void leave_write() { inside.fetch_sub(kWriter); }

  // Called right after lock_shared(); returns the reader's place in the order of entries.
  int enter_read(const std::string& who) {
    const int before = inside.fetch_add(1);
    EXPECT_LT(before, kWriter) << who << " got in while a writer was inside: lock_shared() must wait while a "
                               << "writer holds the lock (a wait that ended without re-checking? a reader that "
                               << "took the lock without being let in?)" << kLesson;
    const int seen = data;  // a read of what writers write: a race if a writer is inside
    (void)seen;
    return entries.fetch_add(1);
  }
  void leave_read() { inside.fetch_sub(1); }
};

// Runs `body`: in the sim build as it is (the explorer reports a thread that never wakes, with the schedule); on
// real threads under the watchdog, so that a hang fails the test with `if_stuck` instead of running into the
// timeout. `body` must own its state through a shared_ptr (if it hangs, its thread is left behind).
void watched(std::function<void()> body, const std::string& if_stuck) {
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), kPatience))
      << "not finished after " << kPatience.count() / 1000.0 << " s (a correct lock takes microseconds here): "
      << if_stuck << ". The sim build shows the schedule: ./conclab explore 03.05" << kLesson;
}

constexpr const char* kSomeoneAsleep =
    "a thread is still waiting in lock() or lock_shared() although nobody holds the lock any more: a lost "
    "wakeup (an unlock that woke nobody, or the wrong kind of waiter, or fewer waiters than it let in), or a "
    "lock whose state says it is taken when it is not (a count or a flag not given back)";

// ---- Mutual exclusion ----

CONCLAB_SIM_TEST(RwLockTest, TwoWritersAreNeverInsideTogether) {
  conclab::sim::explain(std::string(kSomeoneAsleep) + kLesson);
  struct Scene {
    lab::RwLock lock;
    Room room;
  };
  auto s = std::make_shared<Scene>();
  watched([s] {
    auto writer = [s](const std::string& who) {
      s->lock.lock();
      s->room.enter_write(who);
      s->room.leave_write();
      s->lock.unlock();
    };
    {
      sync::jthread a([&] { writer("writer A"); });
      sync::jthread b([&] { writer("writer B"); });
    }
    EXPECT_EQ(s->room.data, 2) << "two writers wrote once each, but the data says " << s->room.data << kLesson;
  }, kSomeoneAsleep);
}

CONCLAB_SIM_TEST(RwLockTest, AReaderNeverGetsInWithAWriter) {
  conclab::sim::explain(std::string(kSomeoneAsleep) + kLesson);
  struct Scene {
    lab::RwLock lock;
    Room room;
  };
  auto s = std::make_shared<Scene>();
  watched([s] {
    {
      sync::jthread writer([s] {
        s->lock.lock();
        s->room.enter_write("the writer");
        s->room.leave_write();
        s->lock.unlock();
      });
      s->lock.lock_shared();
      s->room.enter_read("the reader");
      s->room.leave_read();
      s->lock.unlock_shared();
    }
    s->lock.lock();  // and afterwards the lock is free again: a writer gets straight in
    s->lock.unlock();
  }, kSomeoneAsleep);
}

CONCLAB_SIM_TEST(RwLockTest, TwoReadersHoldTheLockTogether) {
  conclab::sim::explain(
      "two readers: the first holds the lock shared and waits for the second to be inside too. That never "
      "happened: lock_shared() must let a reader in while other readers hold the lock (is it a plain mutex?), "
      "or an unlock_shared() left a thread asleep" + std::string(kLesson));
  struct Scene {
    lab::RwLock lock;
    Room room;
    sync::latch both_inside{2};
  };
  auto s = std::make_shared<Scene>();
  watched([s] {
    auto reader = [s](const std::string& who) {
      s->lock.lock_shared();
      s->room.enter_read(who);
      s->both_inside.arrive_and_wait();  // each waits, holding the lock, until the other is inside too
      s->room.leave_read();
      s->lock.unlock_shared();
    };
    {
      sync::jthread other([&] { reader("the second reader"); });
      reader("the first reader");
    }
    s->lock.lock();  // both left: a writer must get straight in (the reader count is back to 0)
    s->lock.unlock();
  }, "two readers could not hold the lock at the same time (lock_shared() must let readers in together), or the "
     "lock was not free after both left (the reader count must go back to 0)");
}

// ---- Fairness, by counting ----

CONCLAB_SIM_TEST(RwLockFairnessTest, AWriterWaitingForReadersGoesBeforeALaterReader) {
  conclab::sim::explain(
      "a reader holds the lock, a writer waits for it, a second reader arrives, the first leaves. Someone never "
      "woke up: when the last reader leaves, unlock_shared() must wake the waiting writer; when the writer "
      "leaves, unlock() must wake the reader it queued behind it; and an arrival must not leave a mark (a count, "
      "a flag) that stays when its owner is gone" + std::string(kLesson));
  struct Scene {
    Arrivals arrivals;
    lab::RwLock lock{arrivals.hook()};
    Room room;
    int writer_in = -1;
    int later_reader_in = -1;
  };
  auto s = std::make_shared<Scene>();
  watched([s] {
    s->lock.lock_shared();  // this thread is the first reader: it holds the lock
    s->room.enter_read("the first reader");
    {
      sync::jthread writer([s] {
        s->lock.lock();
        s->writer_in = s->room.enter_write("the writer");
        s->room.leave_write();
        s->lock.unlock();
      });
      Arrivals::wait_for(s->arrivals.writers, 1);  // the writer has arrived, and must wait for the first reader
      sync::jthread later_reader([s] {
        s->lock.lock_shared();
        s->later_reader_in = s->room.enter_read("the later reader");
        s->room.leave_read();
        s->lock.unlock_shared();
      });
      Arrivals::wait_for(s->arrivals.readers, 2);  // the later reader has arrived, after the writer
      s->room.leave_read();
      s->lock.unlock_shared();
    }  // joins both
    EXPECT_LT(s->writer_in, s->later_reader_in)
        << "a reader held the lock; a writer arrived and waited; then another reader arrived. That later reader "
        << "got in before the waiting writer (entries: writer " << s->writer_in << ", later reader "
        << s->later_reader_in << "). This is reader preference, and it starves writers: while readers keep "
        << "overlapping, the reader count never reaches zero and the writer never gets in. A reader that arrives "
        << "while a writer is WAITING must queue behind it, not only while one is inside. (glibc's "
        << "pthread_rwlock_t, and so std::shared_mutex on Linux, prefers readers by default: wrapping it gives "
        << "exactly this.)" << kLesson;
  }, "a reader held the lock, a writer waited, a second reader arrived, the first left: and the writer or the "
     "later reader never got in");
}

CONCLAB_SIM_TEST(RwLockFairnessTest, AReaderWaitingForAWriterGoesBeforeTheNextWriter) {
  conclab::sim::explain(
      "a writer holds the lock, a second writer and then a reader arrive and wait, the first writer leaves. "
      "Someone never woke up: unlock() must wake the readers it lets in, and the last reader out must wake the "
      "waiting writer" + std::string(kLesson));
  struct Scene {
    Arrivals arrivals;
    lab::RwLock lock{arrivals.hook()};
    Room room;
    int second_writer_in = -1;
    int reader_in = -1;
  };
  auto s = std::make_shared<Scene>();
  watched([s] {
    s->lock.lock();  // this thread is the first writer: it holds the lock
    s->room.enter_write("the first writer");
    {
      sync::jthread second_writer([s] {
        s->lock.lock();
        s->second_writer_in = s->room.enter_write("the second writer");
        s->room.leave_write();
        s->lock.unlock();
      });
      Arrivals::wait_for(s->arrivals.writers, 2);  // the second writer has arrived and waits
      sync::jthread reader([s] {
        s->lock.lock_shared();
        s->reader_in = s->room.enter_read("the reader");
        s->room.leave_read();
        s->lock.unlock_shared();
      });
      Arrivals::wait_for(s->arrivals.readers, 1);  // the reader has arrived, after the second writer
      s->room.leave_write();
      s->lock.unlock();
    }  // joins both
    EXPECT_LT(s->reader_in, s->second_writer_in)
        << "a writer held the lock; a second writer and then a reader arrived and waited; the first writer left. "
        << "The second writer got in before the reader (entries: reader " << s->reader_in << ", second writer "
        << s->second_writer_in << "). This is writer preference, and it starves readers: under a stream of "
        << "writers, a waiting reader is overtaken by every next writer. Phase fairness: when a writer unlocks, "
        << "EVERY reader waiting at that moment goes in, before any other writer, even one that arrived earlier. "
        << "Decide it in unlock(), under the mutex (let them in there), instead of leaving it to whoever wakes "
        << "first." << kLesson;
  }, "a writer held the lock, a second writer and a reader waited, the first writer left: and the second writer or "
     "the reader never got in");
}

CONCLAB_SIM_TEST(RwLockFairnessTest, ReadersWaitingForAWriterGetInTogether) {
  conclab::sim::explain(
      "a writer holds the lock, two readers arrive and wait, the writer leaves. Both readers must get in, and be "
      "inside together (each waits inside for the other). One of them never woke up: unlock() let both in but "
      "woke only one (notify_one where every waiting reader can go: notify_all), or woke none" +
      std::string(kLesson));
  struct Scene {
    Arrivals arrivals;
    lab::RwLock lock{arrivals.hook()};
    sync::latch both_inside{2};
    int data = 0;  // written by the writer just before its unlock(), read by the readers it lets in
    // (No Room here, to keep the schedules few: the plain `data` is the exclusion check, read by the explorer
    // and ThreadSanitizer for a race, and by the readers for its value.)
  };
  auto s = std::make_shared<Scene>();
  watched([s] {
    s->lock.lock();
    {
      auto reader = [s] {
        s->lock.lock_shared();
        EXPECT_EQ(s->data, 1) << "a reader got in while the writer still held the lock (it read the data before "
                              << "the writer's last write): lock_shared() must wait until the writer's unlock() "
                              << "lets it in; after a wakeup, check that it really was let in (a predicate)"
                              << kLesson;
        s->both_inside.arrive_and_wait();  // the reader phase: both are inside at once
        s->lock.unlock_shared();
      };
      sync::jthread a(reader);
      Arrivals::wait_for(s->arrivals.readers, 1);
      sync::jthread b(reader);
      Arrivals::wait_for(s->arrivals.readers, 2);  // both wait behind the writer
      s->data = 1;  // the writer's last write, under the exclusive lock
      s->lock.unlock();
    }
    s->lock.lock();  // everybody left: the lock is free
    s->lock.unlock();
  }, "a writer held the lock, two readers waited, the writer left: and the two readers were not let in together "
     "(one never woke up?)");
}

CONCLAB_SIM_TEST(RwLockTest, OneThreadTakesItInEveryModeInTurn) {
  conclab::sim::explain(
      "one thread alone locked and unlocked the lock in turn and blocked forever: the lock thinks someone still "
      "holds it or waits for it. Every mark an arrival leaves (a waiting-writer count or flag, the reader count) "
      "must be taken back: a writer that got in is no longer waiting" + std::string(kLesson));
  struct Scene {
    Arrivals arrivals;
    lab::RwLock lock{arrivals.hook()};
  };
  auto s = std::make_shared<Scene>();
  watched([s] {
    s->lock.lock();
    s->lock.unlock();
    s->lock.lock_shared();
    s->lock.unlock_shared();
    s->lock.lock();
    s->lock.unlock();
    s->lock.lock_shared();
    s->lock.unlock_shared();
    EXPECT_EQ(s->arrivals.writers.load(), 2)
        << "two lock() calls must call the arrival hook twice, once each (with the mutex held, where the writer "
        << "registers), but it was called " << s->arrivals.writers.load() << " times" << kLesson;
    EXPECT_EQ(s->arrivals.readers.load(), 2)
        << "two lock_shared() calls must call the arrival hook twice, once each, but it was called "
        << s->arrivals.readers.load() << " times" << kLesson;
  }, "one thread, alone, locked and unlocked the lock in turn (lock, lock_shared, lock, lock_shared), and one of "
     "the calls never returned: the lock still thought it was held or waited for");
}

// ---- On real threads: the standard lock types, and many threads at once ----

TEST(RwLockTest, WorksWithTheStandardLockTypes) {
  // std's lock types by name: in the default and TSan builds sync::unique_lock and sync::shared_lock are these
  // (the sim build's sync::shared_lock knows only its own shared_mutex, so the plain tests use std's directly).
  // One thread, in turn; under the watchdog, since a lock that is not given back blocks the next call for good.
  struct Shared {
    lab::RwLock lock;
    int value = 0;
    int read = -1;
  };
  auto st = std::make_shared<Shared>();  // a hung call is left behind on its own thread, owning this
  const bool finished = conclab::returns_in_time([st] {
    {
      std::unique_lock writer(st->lock);  // lock() / unlock()
      st->value = 1;
    }
    {
      std::lock_guard writer(st->lock);
      st->value = 2;
    }
    {
      std::shared_lock reader(st->lock);  // lock_shared() / unlock_shared()
      st->read = st->value;
    }
    std::unique_lock writer(st->lock);  // free again
  }, kPatience);
  ASSERT_TRUE(finished) << "one thread took the lock with std::unique_lock, std::lock_guard, std::shared_lock and "
                           "std::unique_lock again, one after the other, and one of them never got in: an unlock() "
                           "or unlock_shared() did not give the lock back, or the lock still counts a writer as "
                           "waiting after it got in (then every reader queues behind nobody)" << kLesson;
  EXPECT_EQ(st->read, 2) << "a reader must see what the last writer wrote" << kLesson;
}

TEST(RwLockTest, ManyReadersAndWritersKeepTheDataConsistent) {
  // Four threads, a writer's update every fourth operation. A writer changes two numbers that must stay equal;
  // a reader checks them. A reader that gets in with a writer, or two writers together, see them differ (and
  // ThreadSanitizer reports the race on them, in the TSan build, whether or not they differed this time).
  constexpr int kThreads = 4;
  constexpr int kOps = 2'000;
  struct Shared {
    lab::RwLock lock;
    long a = 0;  // guarded by lock: a == b whenever nobody holds it exclusively
    long b = 0;
    sync::atomic<int> torn{0};
    sync::atomic<int> writes{0};
  };
  auto st = std::make_shared<Shared>();
  const bool finished = conclab::returns_in_time([st] {
    conclab::run_threads(kThreads, [st](int t) {
      for (int i = 0; i < kOps; ++i) {
        if ((i + t) % 4 == 0) {
          std::unique_lock w(st->lock);
          ++st->a;
          ++st->b;
          st->writes.fetch_add(1);
        } else {
          std::shared_lock r(st->lock);
          if (st->a != st->b) st->torn.fetch_add(1);
        }
      }
    });
  }, kPatience);
  ASSERT_TRUE(finished) << kThreads << " threads reading and writing did not finish within " << kPatience.count() / 1000.0
                        << " s (microseconds for a correct lock): some thread waits for a wakeup that never comes. "
                        << "The sim tests above show such a schedule step by step" << kLesson;
  EXPECT_EQ(st->torn.load(), 0) << st->torn.load() << " reads saw a half-done write (a != b): a reader got in while "
                                << "a writer held the lock" << kLesson;
  EXPECT_EQ(st->a, st->writes.load()) << "the writers' updates were " << st->writes.load() << " but the data says "
                                      << st->a << ": two writers were inside together" << kLesson;
}

}  // namespace
