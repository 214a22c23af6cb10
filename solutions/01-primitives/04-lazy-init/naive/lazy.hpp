// Lab 01.04 lazy init, NAIVE: "if not built yet, build it", with no synchronisation.
//
// The mistake people really make, and why it looks right: on one thread it is perfect, and in a quick
// multi-threaded test the initialiser usually runs once, because the window between the check and the
// build is short. But it is check-then-act on shared state. Two threads can both find value_ empty and
// both run the initialiser: twice the cost (a second connection, a second file load), and the first
// caller's reference now points at an object that was destroyed and rebuilt under it. And even when
// the timing is lucky, one thread writes value_ while others read it with nothing ordering them: a data
// race, so a reader may see "built" before it sees what was built.
//
// Lesson: modules/01-primitives/05-call-once-and-static-init.md.
#pragma once

#include <functional>
#include <optional>
#include <utility>

namespace lab {

// Lazy<T>, as the lab states it (see labs/01-primitives/04-lazy-init/lazy.hpp for the full contract).
// BROKEN on purpose: NOT safe to call get() from several threads.
template <class T>
class Lazy {
 public:
  explicit Lazy(std::function<T()> init, std::function<void()> interleave_hook = {})
      : init_(std::move(init)), interleave_hook_(std::move(interleave_hook)) {}
  Lazy(const Lazy&) = delete;
  Lazy& operator=(const Lazy&) = delete;

  const T& get() {
    if (!value_) {                 // check: an unsynchronised read of shared state
      call_interleave_hook();      // another caller can get through the same check here
      value_.emplace(init_());     // act: the second caller to get here rebuilds the value
    }
    return *value_;
  }

 private:
  void call_interleave_hook() const {
    if (interleave_hook_) interleave_hook_();
  }

  const std::function<T()> init_;
  const std::function<void()> interleave_hook_;
  std::optional<T> value_;  // shared, and guarded by nothing
};

}  // namespace lab
