// Drill 08.12 writer-priority-rwlock, WRONG (mutex-as-door): Downey's solution with a sync::mutex for the readers'
// door (no_readers_), "since it is used like a lock".
//
// Why it looks right: no_readers_ starts free, is taken and given back, and a mutex is cheaper than a semaphore.
// But the writers' lightswitch takes it with the FIRST writer and gives it back with the LAST one, often another
// thread: unlocking a mutex that another thread locked is undefined behaviour (the explorer reports it: "T2
// unlocks a mutex that T1 holds"; ThreadSanitizer: "unlock of an unlocked mutex (or by a wrong thread)"). And a
// door is held for a long time, across the whole write, while its holder takes the writers' mutex in unlock():
// as a mutex, that is a lock order (door, then writers' mutex) opposite to the one in lock() (writers' mutex,
// then door), which ThreadSanitizer reports as a lock-order inversion even with one writer. Semaphores have no
// owner and no lock order: that is why Downey's doors are semaphores.
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
      if (++writers_ == 1) no_readers_.lock();  // the first writer closes the readers' door for all writers
      arrived(Role::writer);
    }
    no_writers_.acquire();  // wait for the readers inside, or the writer inside, to leave
  }

  void unlock() {
    no_writers_.release();
    sync::lock_guard lk(writers_mu_);
    if (--writers_ == 0) no_readers_.unlock();  // the last writer opens the readers' door (maybe not its locker)
  }

  void lock_shared() {
    arrived(Role::reader);
    no_readers_.lock();  // the turnstile: closed while a writer is inside or waiting
    {
      sync::lock_guard lk(readers_mu_);
      if (++readers_ == 1) no_writers_.acquire();  // the first reader takes the room for all readers
    }
    no_readers_.unlock();
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
  sync::mutex no_readers_;  // BUG: released by a thread that did not lock it
};

}  // namespace lab
