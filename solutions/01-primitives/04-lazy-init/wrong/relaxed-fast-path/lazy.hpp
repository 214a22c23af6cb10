// Lab 01.04 lazy init, WRONG (relaxed-fast-path): the final version with the fast path's load of ready_
// relaxed instead of acquire.
//
// Why it looks right: ready_ is a sync::atomic<bool>, so there is no data race on the flag itself; the
// store is still release, and on x86 a relaxed load compiles to the same MOV as an acquire load, so every
// test on real threads passes and the machine never shows the bug. Why it is wrong: release orders
// nothing on its own; it pairs with an acquire load that reads its value. A caller that reads ready_ ==
// true with a relaxed load synchronises with nobody: the initialiser's writes to value_ do not
// happen-before its read of *value_, which is a data race, and on ARM or POWER (or after the compiler moves
// the read of value_ above the load) it can see the object half built. The explorer follows the C++
// memory model, not x86's: it reports the read of value_ as a race with the builder's write, every run
// (LazyTest.EveryCallerReadsTheBuiltValueInOrder, where nothing else orders the two callers).
// The fix: memory_order_acquire on the fast-path load (the re-check under the lock may stay relaxed: the
// mutex orders it).
#pragma once

#include <functional>
#include <optional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::mutex is std::mutex), instrumented in the sim build

// Lazy<T>: get() may be called from any number of threads at once. The initialiser runs once, on the
// first get(); concurrent first callers wait for it. Everything it did happens-before every get()
// returns (ready_'s release store and acquire load, or mu_). If it throws, nothing is built and the
// next get() runs it again.
template <class T>
class Lazy {
 public:
  explicit Lazy(std::function<T()> init, std::function<void()> interleave_hook = {})
      : init_(std::move(init)), interleave_hook_(std::move(interleave_hook)) {}
  Lazy(const Lazy&) = delete;
  Lazy& operator=(const Lazy&) = delete;

  const T& get() {
    // Fast path. Relaxed: it is an atomic, and the store below is release, so it seems enough (the bug).
    if (ready_.load(std::memory_order_relaxed)) return *value_;
    call_interleave_hook();  // before locking: never run unknown code under a lock
    sync::lock_guard lock(mu_);
    // The re-check. Relaxed is enough: the only store to ready_ is made under mu_, and mu_ orders it.
    if (!ready_.load(std::memory_order_relaxed)) {
      value_.emplace(init_());                         // if this throws, ready_ stays false: retried
      ready_.store(true, std::memory_order_release);   // pairs with the acquire load on the fast path
    }
    return *value_;  // built, and never modified again: every caller may read it without a lock
  }

 private:
  void call_interleave_hook() const {
    if (interleave_hook_) interleave_hook_();
  }

  const std::function<T()> init_;
  const std::function<void()> interleave_hook_;

  sync::mutex mu_;                   // serialises the building; guards value_ until ready_ is true
  std::optional<T> value_;           // written once, under mu_, before ready_; read-only after that
  sync::atomic<bool> ready_{false};  // true once value_ is built: stored (release) under mu_
};

}  // namespace lab
