// naive: "sleep and hope". wait() looks at the counter without the lock, and sleeps a little between looks.
//
// Why it looks right: add() and done() change the counter under the mutex, so the count is never wrong;
// "wait() only reads it, and an int read is atomic on x86 anyway". Why it is wrong:
//   - The read in wait() races with the writes in done(): two threads touch count_, one writes, and nothing
//     orders them. That is a data race, so undefined behaviour, whatever the hardware does with an int.
//     The compiler may keep count_ in a register for the whole loop; ThreadSanitizer reports it every time.
//   - Even where it "works", wait() returning says nothing about the results the workers wrote before done():
//     without a synchronising operation there is no happens-before, so the waiter may see stale results.
//   - Each wait() costs up to a sleep too much, and a shorter sleep burns a core polling.
#pragma once

#include <chrono>
#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// WaitGroup: waits for a group of tasks to finish, like Go's sync.WaitGroup.
//
// Contract (intended; wait() breaks the happens-before promise and is a data race):
//   - add(n) adds n (may be negative); done() is add(-1); going below zero throws std::logic_error.
//   - wait() blocks until the counter is zero.
//   - Happens-before: everything a thread did before its done() is visible after wait() returns.
class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  void add(int n) {
    sync::lock_guard lock(mu_);
    if (count_ + n < 0) throw std::logic_error("WaitGroup: the counter would go below zero (more done() than add())");
    count_ += n;
  }

  void done() { add(-1); }

  void wait() {
    while (count_ != 0) {  // BUG: reads count_ without mu_ while done() writes it: a data race
      sync::this_thread::sleep_for(std::chrono::milliseconds(1));  // ... and hope it is zero next time
    }
  }

  int count() const {
    sync::lock_guard lock(mu_);
    return count_;
  }

 private:
  mutable sync::mutex mu_;
  int count_ = 0;  // guarded by mu_ (except where wait() forgets)
};

}  // namespace lab
