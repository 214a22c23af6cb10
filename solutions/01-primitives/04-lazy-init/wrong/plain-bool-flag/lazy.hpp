// Lab 01.04 lazy init, WRONG (plain-bool-flag): the final version's double-checked locking with a plain
// `bool ready_` instead of a sync::atomic<bool>.
//
// Why it looks right: the shape is the textbook one: check, lock, re-check, build, set the flag after the
// value. A bool is one byte, written in one instruction on every CPU, so it looks as if nothing can be
// torn, and on x86 every load already has acquire semantics in hardware. Why it is wrong: the fast-path
// read of ready_ happens with no lock, while a builder writes it under the lock: two unordered accesses to
// a plain variable, one a write, are a data race, undefined behaviour (Core Guidelines CP.2). The compiler
// may keep ready_ in a register, or move the store of ready_ above the build of value_ (nothing forbids
// it for a plain bool), and a caller that sees true then has nothing ordering the initialiser's writes
// before its read of value_. The explorer checks every plain access by happens-before and reports the race,
// with both lines, every run (the fast-path read against the builder's write). The fix: sync::atomic<bool>,
// stored with release after the build and loaded with acquire on the fast path.
#pragma once

#include <functional>
#include <optional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::mutex is std::mutex), instrumented in the sim build

// Lazy<T>: get() may be called from any number of threads at once. The initialiser runs once, on the
// first get(); concurrent first callers wait for it. Everything it did happens-before every get()
// returns (or so it seems: see the top). If it throws, nothing is built and the
// next get() runs it again.
template <class T>
class Lazy {
 public:
  explicit Lazy(std::function<T()> init, std::function<void()> interleave_hook = {})
      : init_(std::move(init)), interleave_hook_(std::move(interleave_hook)) {}
  Lazy(const Lazy&) = delete;
  Lazy& operator=(const Lazy&) = delete;

  const T& get() {
    // Fast path: a bool is written in one instruction, so reading it without the lock seems safe (the bug).
    if (ready_) return *value_;
    call_interleave_hook();  // before locking: never run unknown code under a lock
    sync::lock_guard lock(mu_);
    // The re-check, under the lock.
    if (!ready_) {
      value_.emplace(init_());  // if this throws, ready_ stays false: retried
      ready_ = true;            // after the value... as far as this thread's source order goes
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
  bool ready_ = false;               // true once value_ is built: stored under mu_, read without it (the bug)
};

}  // namespace lab
