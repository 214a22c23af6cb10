// Graded tests for drill 08.12, writer-priority-rwlock (readers-writers with writer priority, from Allen
// Downey's The Little Book of Semaphores). Lesson: modules/08-interview/07-santa-and-writer-priority.md.
//
// Priority is tested by COUNTING who got in first, never by timing, the way lab 03.05 tests fairness: every
// lock() and lock_shared() calls the arrival hook once, where the caller registers (a writer: from then on, new
// readers must queue behind it). A test waits for that call before it starts the next thread, so it knows who
// arrived first, and each thread that gets in takes a ticket from Room::entries: "the writer got in before the
// reader" is a comparison of two numbers.
//
// Room also checks exclusion: a writer that finds anyone inside, or a reader that finds a writer, fails there;
// and `data` is a plain int that writers write and readers read, so ThreadSanitizer (and the explorer, in the sim
// build) reports a race on it if the lock lets a reader in with a writer.
//
// The CONCLAB_SIM_TESTs run under the explorer in the sim build (every schedule with up to two preemptions,
// spurious wakeups included; a thread asleep for ever is reported with the schedule), and 20 times on real
// threads elsewhere, where watched() turns a hang into a failed test with a message.
#include <writer_priority_lock.hpp>

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

constexpr const char* kLesson = " (lesson: modules/08-interview/07-santa-and-writer-priority.md)";

const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(3));  // conclab/watchdog.hpp

// How many readers and writers have arrived (called the hook). wait_for() returns once `n` have.
struct Arrivals {
  sync::atomic<int> readers{0};
  sync::atomic<int> writers{0};

  lab::WriterPriorityLock::ArrivalHook hook() {
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

// Who is inside, in which order they got in, and the data the lock protects. `inside` counts readers in its
// low digits and writers in units of kWriter, so one fetch_add both enters and says who was already there.
struct Room {
  static constexpr int kWriter = 1000;
  sync::atomic<int> inside{0};
  sync::atomic<int> entries{0};  // each entry takes the next ticket: 0, 1, 2...
  int data = 0;                  // written by writers, read by readers: guarded by the lock under test

  int enter_write(const std::string& who) {
    const int before = inside.fetch_add(kWriter);
    EXPECT_LT(before, kWriter) << who << " got in while another writer was inside: lock() must wait until no "
                               << "writer holds the lock (a wait that did not re-check its condition?)" << kLesson;
    EXPECT_EQ(before % kWriter, 0) << who << " got in while " << before % kWriter << " reader(s) were inside. "
                                   << "Writer priority stops NEW readers; the readers already inside still finish "
                                   << "first: lock() waits until the reader count is 0" << kLesson;
    data += 1;
    return entries.fetch_add(1);
  }
  void leave_write() { inside.fetch_sub(kWriter); }

  int enter_read(const std::string& who) {
    const int before = inside.fetch_add(1);
    EXPECT_LT(before, kWriter) << who << " got in while a writer was inside: lock_shared() must wait while a "
                               << "writer holds the lock" << kLesson;
    const int seen = data;  // a read of what writers write: a race if a writer is inside
    (void)seen;
    return entries.fetch_add(1);
  }
  void leave_read() { inside.fetch_sub(1); }
};

void watched(std::function<void()> body, const std::string& if_stuck) {
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), kPatience))
      << "not finished after " << kPatience.count() / 1000.0 << " s (a correct lock takes microseconds here): "
      << if_stuck << ". The explorer shows such a schedule step by step: ./conclab explore 08.12" << kLesson;
}

constexpr const char* kSomeoneAsleep =
    "a thread is still waiting in lock() or lock_shared() although nobody holds the lock any more: a lost "
    "wakeup (the last reader out must wake a waiting writer; a writer's unlock must wake EVERY reader that may "
    "now go, not one), or a count that was not given back (a writer that got in is no longer waiting)";

// ---- Exclusion ----

CONCLAB_SIM_TEST(WriterPriorityTest, TwoWritersAreNeverInsideTogether) {
  conclab::sim::explain(std::string(kSomeoneAsleep) + kLesson);
  struct Scene {
    lab::WriterPriorityLock lock;
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

CONCLAB_SIM_TEST(WriterPriorityTest, AReaderNeverGetsInWithAWriter) {
  conclab::sim::explain(std::string(kSomeoneAsleep) + kLesson);
  struct Scene {
    lab::WriterPriorityLock lock;
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
    s->lock.lock();  // and afterwards the lock is free: a writer gets straight in
    s->lock.unlock();
  }, kSomeoneAsleep);
}

CONCLAB_SIM_TEST(WriterPriorityTest, TwoReadersHoldTheLockTogether) {
  conclab::sim::explain(
      "two readers: the first holds the lock shared and waits for the second to be inside too. That never "
      "happened: lock_shared() must let a reader in while other readers hold it (and no writer holds or waits)" +
      std::string(kLesson));
  struct Scene {
    lab::WriterPriorityLock lock;
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
    s->lock.lock();  // both left: a writer gets straight in
    s->lock.unlock();
  }, "two readers could not hold the lock at the same time, or the lock was not free after both left");
}

// ---- Writer priority, by counting ----

CONCLAB_SIM_TEST(WriterPriorityTest, AReaderArrivingAfterAWaitingWriterWaits) {
  conclab::sim::explain(
      "a reader holds the lock, a writer waits, a second reader arrives, the first leaves. Someone never woke "
      "up: the last reader out must wake the waiting writer, and the writer's unlock must wake the reader that "
      "queued behind it" + std::string(kLesson));
  struct Scene {
    Arrivals arrivals;
    lab::WriterPriorityLock lock{arrivals.hook()};
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
      Arrivals::wait_for(s->arrivals.writers, 1);  // the writer has arrived; it waits for the first reader
      sync::jthread later_reader([s] {
        s->lock.lock_shared();
        s->later_reader_in = s->room.enter_read("the later reader");
        s->room.leave_read();
        s->lock.unlock_shared();
      });
      Arrivals::wait_for(s->arrivals.readers, 2);  // the later reader has arrived, after the writer
      s->room.leave_read();
      s->lock.unlock_shared();
    }
    EXPECT_LT(s->writer_in, s->later_reader_in)
        << "a reader held the lock; a writer arrived and waited; then another reader arrived. The later reader "
        << "got in first (tickets: writer " << s->writer_in << ", later reader " << s->later_reader_in << "). "
        << "That is reader preference: a reader that arrives while a writer WAITS must wait too, or overlapping "
        << "readers keep the writer out for ever. Count the waiting writers and make lock_shared() wait while "
        << "that count is not 0. (std::shared_mutex on Linux is glibc's rwlock, which prefers readers by "
        << "default: wrapping it gives exactly this.)" << kLesson;
  }, "a reader held the lock, a writer waited, a second reader arrived, the first left: and the writer or the "
     "later reader never got in");
}

CONCLAB_SIM_TEST(WriterPriorityTest, AWaitingWriterGoesBeforeAWaitingReader) {
  conclab::sim::explain(
      "a writer holds the lock, a reader and then a second writer arrive and wait, the first writer leaves. "
      "Someone never woke up: a writer's unlock must wake the next writer, and the last writer out must let the "
      "waiting readers in" + std::string(kLesson));
  struct Scene {
    Arrivals arrivals;
    lab::WriterPriorityLock lock{arrivals.hook()};
    Room room;
    int second_writer_in = -1;
    int reader_in = -1;
  };
  auto s = std::make_shared<Scene>();
  watched([s] {
    s->lock.lock();  // this thread is the first writer: it holds the lock
    s->room.enter_write("the first writer");
    {
      sync::jthread reader([s] {
        s->lock.lock_shared();
        s->reader_in = s->room.enter_read("the reader");
        s->room.leave_read();
        s->lock.unlock_shared();
      });
      Arrivals::wait_for(s->arrivals.readers, 1);  // the reader has arrived and waits
      sync::jthread second_writer([s] {
        s->lock.lock();
        s->second_writer_in = s->room.enter_write("the second writer");
        s->room.leave_write();
        s->lock.unlock();
      });
      Arrivals::wait_for(s->arrivals.writers, 2);  // the second writer has arrived, after the reader
      s->room.leave_write();
      s->lock.unlock();
    }
    EXPECT_LT(s->second_writer_in, s->reader_in)
        << "a writer held the lock; a reader and then a second writer arrived and waited; the first writer left. "
        << "The reader got in first (tickets: second writer " << s->second_writer_in << ", reader "
        << s->reader_in << "). With writer priority, every waiting writer writes before any reader gets in, even "
        << "a reader that arrived earlier: when a writer unlocks and writers wait, readers keep waiting. (Letting "
        << "the waiting readers in first is phase fairness, lab 03.05's policy; not this drill's.)" << kLesson;
  }, "a writer held the lock, a reader and a second writer waited, the first writer left: and the second writer "
     "or the reader never got in");
}

CONCLAB_SIM_TEST(WriterPriorityTest, WaitingReadersAllGetInWhenTheLastWriterLeaves) {
  conclab::sim::explain(
      "a writer holds the lock, two readers arrive and wait, the writer leaves. Both readers must get in, and be "
      "inside together (each waits inside for the other). One never woke up: the writer's unlock (or the last "
      "writer's, opening the readers' door) must let EVERY waiting reader go (notify_all, not notify_one)" +
      std::string(kLesson));
  struct Scene {
    Arrivals arrivals;
    lab::WriterPriorityLock lock{arrivals.hook()};
    sync::latch both_inside{2};
    int data = 0;  // written by the writer just before its unlock(), read by the readers after
  };
  auto s = std::make_shared<Scene>();
  watched([s] {
    s->lock.lock();
    {
      auto reader = [s] {
        s->lock.lock_shared();
        EXPECT_EQ(s->data, 1) << "a reader got in while the writer still held the lock (it read the data before "
                              << "the writer's last write)" << kLesson;
        s->both_inside.arrive_and_wait();  // both readers inside at once
        s->lock.unlock_shared();
      };
      sync::jthread a(reader);
      Arrivals::wait_for(s->arrivals.readers, 1);  // one at a time: fewer schedules, the same question
      sync::jthread b(reader);
      Arrivals::wait_for(s->arrivals.readers, 2);  // both wait behind the writer
      s->data = 1;  // the writer's last write, under the exclusive lock
      s->lock.unlock();
    }
    s->lock.lock();  // everybody left: the lock is free
    s->lock.unlock();
  }, "a writer held the lock, two readers waited, the writer left: and the two readers were not inside together "
     "(one never woke up?)");
}

CONCLAB_SIM_TEST(WriterPriorityTest, OneThreadTakesItInEveryModeInTurn) {
  conclab::sim::explain(
      "one thread alone locked and unlocked in turn and blocked for ever: the lock thinks someone still holds it "
      "or waits for it. A writer that got in is no longer waiting: take it out of the waiting count" +
      std::string(kLesson));
  struct Scene {
    Arrivals arrivals;
    lab::WriterPriorityLock lock{arrivals.hook()};
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
        << "two lock() calls must call the arrival hook once each, but it was called " << s->arrivals.writers.load()
        << " times" << kLesson;
    EXPECT_EQ(s->arrivals.readers.load(), 2)
        << "two lock_shared() calls must call the arrival hook once each, but it was called "
        << s->arrivals.readers.load() << " times" << kLesson;
  }, "one thread, alone, locked and unlocked in turn (lock, lock_shared, lock, lock_shared), and a call never "
     "returned: the lock still thought it was held or waited for");
}

// ---- Real threads ----

constexpr int kLateReaders = 8;  // AStreamOfReadersDoesNotOvertakeAWaitingWriter

TEST(WriterPriorityTest, AStreamOfReadersDoesNotOvertakeAWaitingWriter) {
  // A reader holds the lock; a writer arrives; then eight more readers arrive, one after the other; the first
  // reader leaves. The writer must get in before every one of the eight.
  struct Scene {
    Arrivals arrivals;
    lab::WriterPriorityLock lock{arrivals.hook()};
    Room room;
    int writer_in = -1;
    std::vector<int> readers_in = std::vector<int>(kLateReaders, -1);
  };
  auto s = std::make_shared<Scene>();
  watched([s] {
    s->lock.lock_shared();
    s->room.enter_read("the first reader");
    {
      std::vector<sync::jthread> threads;
      threads.emplace_back([s] {
        s->lock.lock();
        s->writer_in = s->room.enter_write("the writer");
        s->room.leave_write();
        s->lock.unlock();
      });
      Arrivals::wait_for(s->arrivals.writers, 1);
      for (int i = 0; i < kLateReaders; ++i) {
        threads.emplace_back([s, i] {
          s->lock.lock_shared();
          s->readers_in[i] = s->room.enter_read("a later reader");
          s->room.leave_read();
          s->lock.unlock_shared();
        });
        Arrivals::wait_for(s->arrivals.readers, 2 + i);  // one after the other, all after the writer
      }
      s->room.leave_read();
      s->lock.unlock_shared();
    }
    int overtook = 0;
    for (int t : s->readers_in) overtook += t < s->writer_in ? 1 : 0;
    EXPECT_EQ(overtook, 0) << overtook << " of " << kLateReaders << " readers that arrived while the writer was "
                           << "waiting got in before it. With writer priority, a reader arriving while a writer "
                           << "waits queues behind it; otherwise a stream of readers keeps the writer out for "
                           << "ever (reader preference, std::shared_mutex's policy on Linux)" << kLesson;
  }, "a reader held the lock, a writer and then eight readers arrived, the first reader left: and someone never "
     "got in");
}

TEST(WriterPriorityTest, WorksWithTheStandardLockTypes) {
  struct Shared {
    lab::WriterPriorityLock lock;
    int value = 0;
    int read = -1;
  };
  auto st = std::make_shared<Shared>();
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
                           "std::unique_lock again, one after the other, and one of them never got in: an unlock "
                           "did not give the lock back, or a writer that got in is still counted as waiting (then "
                           "every reader queues behind nobody)" << kLesson;
  EXPECT_EQ(st->read, 2) << "a reader must see what the last writer wrote" << kLesson;
}

TEST(WriterPriorityTest, ManyReadersAndWritersKeepTheDataConsistent) {
  // Four threads; every fourth operation is a write, which changes two numbers that must stay equal.
  constexpr int kThreads = 4;
  constexpr int kOps = 2'000;
  struct Shared {
    lab::WriterPriorityLock lock;
    long a = 0;  // guarded by lock: a == b whenever no writer holds it
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
  ASSERT_TRUE(finished) << kThreads << " threads reading and writing did not finish within "
                        << kPatience.count() / 1000.0 << " s (milliseconds for a correct lock): a thread waits for "
                        << "a wakeup that never comes. The sim tests show such a schedule step by step" << kLesson;
  EXPECT_EQ(st->torn.load(), 0) << st->torn.load() << " reads saw a half-done write (a != b): a reader got in "
                                << "while a writer held the lock" << kLesson;
  EXPECT_EQ(st->a, st->writes.load()) << "the writers made " << st->writes.load() << " updates but the data says "
                                      << st->a << ": two writers were inside together" << kLesson;
}

}  // namespace
