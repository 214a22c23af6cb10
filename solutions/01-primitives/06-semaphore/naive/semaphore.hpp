// naive: "a semaphore is just a counter". Check that a permit is free, then take it, with no lock at all.
//
// Why it looks right: acquire() waits until the count is positive and then decrements it; release()
// increments it. Read one thread at a time, it is exactly the definition of a semaphore. Why it is wrong:
//   - Check-then-act: two threads can both see count_ == 1, both decrement, and both get in, so one permit
//     admits two users (and the count goes negative).
//   - count_ is read and written by several threads with nothing ordering them: a data race, so undefined
//     behaviour. `--count_` is a load, a subtract and a store; two of them at once lose an update, and a lost
//     release() is a permit that never comes back. ThreadSanitizer reports it in every test with two threads.
//   - acquire() polls: it naps and looks again instead of being woken by release(), so it wakes up for nothing
//     and notices a permit late. (The other naive wait, a spin on yield(), also burns a core. Here it made
//     ThreadSanitizer miss the race in about 3 runs in 100 on a loaded machine: a spinning thread fills
//     ThreadSanitizer's per-thread history, and a race whose earlier access has scrolled out of it is not
//     reported. With the nap, the contract's "fails every run" holds.)
// Making count_ a sync::atomic removes the data race (and ThreadSanitizer's report), but not the check-then-act
// race: load() then fetch_sub() are still two steps. The lesson draws that interleaving, and the explorer finds
// it on every run (wrong/check-then-fetch-sub). This version's bugs are on a plain integer: the explorer reports
// the data race on its first schedule, naming both lines, and ThreadSanitizer reports it too.
#pragma once

#include <chrono>
#include <cstddef>
#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Semaphore: a counter of permits.
//
// Contract (intended; broken by every concurrent use, see above):
//   - acquire() takes one permit, blocking while there is none; try_acquire() takes one if available now;
//     release(n) gives back n permits.
class Semaphore {
 public:
  explicit Semaphore(std::ptrdiff_t initial) : count_(initial) {
    if (initial < 0) throw std::invalid_argument("Semaphore: the initial count must not be negative");
  }
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  void acquire() {
    // BUG: an unsynchronised read, polled: nap, look again
    while (count_ == 0) sync::this_thread::sleep_for(std::chrono::microseconds(100));
    --count_;  // BUG: another thread may have taken it since the check
  }

  bool try_acquire() {
    if (count_ == 0) return false;  // BUG: check ...
    --count_;                       // ... then act, unsynchronised
    return true;
  }

  void release(std::ptrdiff_t n = 1) {
    if (n < 0) throw std::invalid_argument("Semaphore: release() of a negative number of permits");
    count_ += n;  // BUG: unsynchronised read-modify-write
  }

  std::ptrdiff_t available() const { return count_; }

 private:
  std::ptrdiff_t count_;  // free permits; shared by every thread, guarded by nothing
};

// Permit: holds one permit of a Semaphore for its lifetime, so it goes back on every path out of the scope.
class Permit {
 public:
  explicit Permit(Semaphore& semaphore) : semaphore_(semaphore) { semaphore_.acquire(); }
  ~Permit() { semaphore_.release(); }
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;

 private:
  Semaphore& semaphore_;
};

}  // namespace lab
