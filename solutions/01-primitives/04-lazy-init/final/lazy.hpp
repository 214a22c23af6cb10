// Lab 01.04 lazy init, FINAL: double-checked locking done right, an atomic flag in front of the mutex.
//
// What changed from improved, and why: improved locks a mutex on every get(), forever, to protect
// something that happens once. Here a sync::atomic<bool> ready_ says "built", and get() reads it first:
// once the value is built, a call is one acquire load and no write to shared memory, so readers on many
// cores no longer queue behind each other on the mutex's cache line. Until then, callers take the
// mutex exactly as in improved, and *re-check under it*: the flag may have been set while they waited.
// Each piece is there for a reason, and the wrong variants (solutions/.../wrong/) each drop one:
//   - the re-check under the lock: without it, two callers that both saw "not built" both build
//     (wrong/no-recheck-under-lock);
//   - one critical section from the re-check to the store of ready_: check in one, build in another,
//     and both callers build (wrong/two-critical-sections);
//   - ready_ stored *after* the value is built, with release, and loaded with acquire: the pair makes
//     everything the initialiser wrote visible to a caller that sees ready_ == true. Set the flag
//     first, and a caller returns a value that does not exist yet (wrong/flag-before-value);
//   - ready_ set only when the initialiser returned: if it throws, the lock_guard unlocks on the way
//     out, ready_ stays false, and the next get() runs it again.
// This is what std::call_once does inside, written out so that the explorer can check it.
//
// Why not std::call_once here: in production code, std::call_once or a function-local static is the
// right tool (Core Guidelines CP.110; lesson 05), and the lesson's version is
//     std::once_flag once_;  ...  std::call_once(once_, [this] { value_.emplace(init_()); });
// It is correct, but it cannot be this lab's reference, because the sim tests must check the reference
// and the explorer cannot see inside std::call_once: it sees only sync:: operations. Worse, a caller
// that waits inside std::call_once (pthread_once) blocks the real thread, and in the sim build every
// simulated thread runs on that one real thread, so the explorer hangs instead of trying the next
// schedule. (std::call_once also cannot retry after an exception under ThreadSanitizer: lesson 05.)
//
// What an expert would still do differently in production: for one global, a function-local static
// (`static const Config c = load(); return c;`); for a per-object value, std::call_once or
// absl::call_once, tested by their authors; this hand-written version only where the explorer (or a
// model checker) has checked it. And if the initialiser can block for long (network), think about
// whether callers should wait at all, or get a future.
//
// Lesson: modules/01-primitives/05-call-once-and-static-init.md.
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
    // Fast path. Acquire pairs with the release store below: seeing true, we see the built value.
    if (ready_.load(std::memory_order_acquire)) return *value_;
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
