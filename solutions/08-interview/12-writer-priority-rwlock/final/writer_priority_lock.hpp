// Drill 08.12 writer-priority-rwlock, FINAL: semaphores and two lightswitches, the shape of Downey's
// writer-priority solution in The Little Book of Semaphores.
//
// What changed from improved, and why: no condition variable and no notify_all herd. Two binary semaphores are
// doors:
//   - no_writers_: held while anyone is inside. The first reader in takes it for all readers (the readers'
//     lightswitch) and the last reader out gives it back; each writer takes it for itself.
//   - no_readers_: held while any writer is inside OR waiting. The first writer to arrive takes it for all
//     writers (the writers' lightswitch), and the last writer out gives it back. A reader passes through it
//     (takes it and gives it back at once, a turnstile) before it joins the readers: while a writer holds it,
//     every new reader queues at the door. Readers already inside are not affected, and the writer then waits
//     on no_writers_ for them to leave.
// A lightswitch is a count under its own mutex: the first one in turns the light (the door) off, the last one
// out turns it back on. The doors are semaphores, not mutexes, because the thread that gives one back is not
// always the one that took it (the last writer out gives back no_readers_, which the first writer took):
// unlocking a mutex another thread locked is undefined behaviour.
//
// Gains: a writer's unlock wakes one writer (no_writers_), or, when the last writer leaves, the readers one by
// one through the turnstile; nobody wakes just to find a false predicate.
//
// What an expert would still do differently in production: the semaphores' wakeup order is unspecified, so
// writers are served in no particular order among themselves; and readers starve under a stream of writers, by
// design. On Linux, pthread_rwlockattr_setkind_np(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP) gives the same
// policy in the C library; most code would rather have a phase-fair lock (lab 03.05) or shorter critical
// sections.
//
// Lesson: modules/08-interview/07-santa-and-writer-priority.md ("Downey's writer priority, with semaphores").
#pragma once

#include <functional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

enum class Role { reader, writer };

// WriterPriorityLock: a reader-writer lock that prefers writers. lock()/unlock(): exclusive (one writer, no
// reader); lock_shared()/unlock_shared(): shared (any number of readers, no writer). Works with std::unique_lock,
// std::lock_guard and std::shared_lock. Not recursive.
// Priority: once a writer waits, no reader that arrives from then on gets in until no writer holds the lock or
// waits for it; readers already inside finish first. Readers can starve under a stream of writers.
// The arrival hook (tests): called once per lock()/lock_shared(): by a writer once it is registered (it holds
// no_readers_ for the writers), by a reader before it asks for anything.
class WriterPriorityLock {
 public:
  using ArrivalHook = std::function<void(Role)>;

  WriterPriorityLock() = default;
  explicit WriterPriorityLock(ArrivalHook onArrival) : on_arrival_(std::move(onArrival)) {}
  WriterPriorityLock(const WriterPriorityLock&) = delete;
  WriterPriorityLock& operator=(const WriterPriorityLock&) = delete;

  void lock() {
    {
      sync::lock_guard lk(writers_mu_);
      if (++writers_ == 1) no_readers_.acquire();  // the first writer closes the readers' door for all writers
      arrived(Role::writer);
    }
    no_writers_.acquire();  // wait for the readers inside, or the writer inside, to leave
  }

  void unlock() {
    no_writers_.release();
    sync::lock_guard lk(writers_mu_);
    if (--writers_ == 0) no_readers_.release();  // the last writer opens the readers' door
  }

  void lock_shared() {
    arrived(Role::reader);
    no_readers_.acquire();  // the turnstile: closed while a writer is inside or waiting
    {
      sync::lock_guard lk(readers_mu_);
      if (++readers_ == 1) no_writers_.acquire();  // the first reader takes the room for all readers
    }
    no_readers_.release();
  }

  void unlock_shared() {
    sync::lock_guard lk(readers_mu_);
    if (--readers_ == 0) no_writers_.release();  // the last reader gives the room back
  }

 private:
  void arrived(Role role) {
    if (on_arrival_) on_arrival_(role);
  }

  ArrivalHook on_arrival_;  // set once, before any thread uses the lock

  sync::mutex readers_mu_;
  int readers_ = 0;  // guarded by readers_mu_: readers inside
  sync::mutex writers_mu_;
  int writers_ = 0;  // guarded by writers_mu_: writers inside or waiting

  sync::binary_semaphore no_writers_{1};  // free when nobody is inside
  sync::binary_semaphore no_readers_{1};  // free when no writer is inside or waiting
};

}  // namespace lab
