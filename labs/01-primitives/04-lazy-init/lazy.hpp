// Lab 01.04: lazy initialisation that many threads trigger at once.
// Lesson: modules/01-primitives/05-call-once-and-static-init.md   Check: ./conclab check 01.04
//
// lab::Lazy<T> builds its value on first use: the first get() runs the (expensive) initialiser, and
// every get() returns a reference to that one object. The starter is the version everyone writes
// first, and it is only right on one thread:
//
//   - Two threads that call get() at the same time can both see "not built yet" and both run the
//     initialiser: twice the cost, and one caller may be handed an object that is then destroyed and
//     rebuilt under its feet. The tests make that happen every time through the interleave hook.
//   - Even when it happens to run once, the unsynchronised check of value_ is a data race, and a
//     thread that sees value_ filled in is not guaranteed to see the object's contents (ThreadSanitizer
//     in the graded run reports it).
//
// Make it correct with a mutex first; then make the common case (already built) cheap with
// std::call_once. `./conclab bench 01.04` measures what one get() costs.
#pragma once

#include <functional>
#include <optional>
#include <utility>

namespace lab {

// Lazy<T>: a value built on first use.
//
// Contract:
//   - get() may be called from any number of threads at once.
//   - The initialiser runs exactly once, on the first get() (never in the constructor); a caller that
//     arrives while it runs waits for it and does not run it again. Every get() returns a reference
//     to the same object, which is never changed or rebuilt afterwards.
//   - Happens-before: everything the initialiser did happens-before every get() returns, so each
//     caller sees the object fully built.
//   - If the initialiser throws, get() lets the exception out and nothing is built: a later get()
//     runs the initialiser again.
//   - Test hook: get() calls the interleave hook (if one was given) at most once per call, and never
//     while holding a lock, nor from inside std::call_once's function. A test blocks inside the hook to
//     run other get() calls "in the middle" of this one; if the paused thread holds something they
//     wait for (a lock, or a call_once in progress), that is a deadlock.
template <class T>
class Lazy {
 public:
  explicit Lazy(std::function<T()> init, std::function<void()> interleave_hook = {})
      : init_(std::move(init)), interleave_hook_(std::move(interleave_hook)) {}
  Lazy(const Lazy&) = delete;
  Lazy& operator=(const Lazy&) = delete;

  const T& get() {
    // TODO(lab): check-then-act with no synchronisation at all. Two threads can both find value_
    // empty (the hook pauses one of them right there, in the tests) and both run init_(). And reading
    // value_ while another thread fills it in is a data race. Make "check, and build if missing" one
    // step: a std::mutex held across both (call the hook before locking), or std::call_once.
    if (!value_) {
      call_interleave_hook();
      value_.emplace(init_());
    }
    return *value_;
  }

 private:
  void call_interleave_hook() const {
    if (interleave_hook_) interleave_hook_();
  }

  const std::function<T()> init_;
  const std::function<void()> interleave_hook_;

  // TODO(lab): whatever makes the check and the build safe to share goes here, right above value_:
  // a std::mutex that guards it, or a std::once_flag.
  std::optional<T> value_;  // empty until the initialiser has run
};

}  // namespace lab
