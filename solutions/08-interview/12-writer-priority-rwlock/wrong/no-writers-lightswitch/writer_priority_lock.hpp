// Drill 08.12 writer-priority-rwlock, WRONG (no-writers-lightswitch): every writer takes the readers' door for
// itself, instead of the first writer taking it for all writers.
//
// Why it looks right: simpler, and a writer still closes the door to new readers. But a second writer now waits
// AT the door, in the same queue as the readers: when the first writer leaves and opens it, a waiting reader may
// get through before the waiting writer. Writer priority needs the door to stay closed while ANY writer waits:
// a count (the lightswitch), so that only the last writer opens it.
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
    arrived(Role::writer);
    no_readers_.acquire();  // BUG: each writer for itself; a second writer queues with the readers
    no_writers_.acquire();  // wait for the readers inside, or the writer inside, to leave
  }

  void unlock() {
    no_writers_.release();
    no_readers_.release();
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

  sync::binary_semaphore no_writers_{1};  // free when nobody is inside
  sync::binary_semaphore no_readers_{1};  // free when no writer is inside or waiting
};

}  // namespace lab
