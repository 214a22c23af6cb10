// Lab 01.04 lazy init, WRONG (flag-before-value): an atomic flag picks the one caller that runs the
// initialiser, with no lock at all; the others see the flag set and return.
//
// Why it looks right: exchange() is one indivisible step, so exactly one caller ever gets `false` back
// and the initialiser really runs once: the count-the-builds tests pass, and the hook tests too (the
// paused caller is paused before the exchange). Why it is wrong: the flag says "someone has started
// building", not "it is built". A second caller that arrives while the initialiser runs sees the flag
// set and returns *value_, an object that does not exist yet (LazyTest.GetNeverReturnsBeforeTheValueIsBuilt;
// on real threads, ThreadSanitizer would also report the unsynchronised value_). And if the initialiser
// throws, the flag stays set and nothing is built: every later get() returns that empty value instead
// of trying again (LazyTest.AThrowingInitialiserLeavesNothingBuiltAndIsRetried). The explorer finds
// both on every run. The fix: callers that find the value missing wait for the builder (a mutex), and
// the flag is set only after the value is stored.
#pragma once

#include <functional>
#include <optional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

template <class T>
class Lazy {
 public:
  explicit Lazy(std::function<T()> init, std::function<void()> interleave_hook = {})
      : init_(std::move(init)), interleave_hook_(std::move(interleave_hook)) {}
  Lazy(const Lazy&) = delete;
  Lazy& operator=(const Lazy&) = delete;

  const T& get() {
    call_interleave_hook();
    if (!started_.exchange(true)) {  // only the first caller gets false: it builds
      value_.emplace(init_());
    }
    return *value_;  // everyone else returns at once, built or not
  }

 private:
  void call_interleave_hook() const {
    if (interleave_hook_) interleave_hook_();
  }

  const std::function<T()> init_;
  const std::function<void()> interleave_hook_;

  sync::atomic<bool> started_{false};
  std::optional<T> value_;
};

}  // namespace lab
