// Lab 01.04 lazy init, WRONG (done-flag-before-init): improved's one critical section, with a separate
// `initialised_` flag set *before* the initialiser is called.
//
// Why it looks right: the check and the build are under one lock, so the initialiser runs once, every
// caller sees it built, and every racing test passes, ThreadSanitizer and the explorer included; setting
// the flag first reads naturally ("mark it taken, then do it"). Why it is wrong: the flag says "someone
// tried", not "it is built". When the initialiser throws, the flag stays set and value_ stays empty: the
// next get() skips the initialiser and returns *value_ on an empty std::optional, a reference to an
// object that was never constructed (undefined behaviour), instead of trying again as the contract says.
// Caught by InitThatThrowsIsRunAgainByTheNextGet (default and TSan builds: the initialiser ran once, not
// twice) and AThrowingInitialiserLeavesNothingBuiltAndIsRetried (sim build). The fix: mark it done only
// after the value is stored, or let the optional itself say so (improved: `if (!value_)`).
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
    sync::lock_guard lock(mu_);
    if (!initialised_) {
      initialised_ = true;       // mark it taken...
      value_.emplace(init_());   // ...then build it: if this throws, the mark stays and value_ is empty
    }
    return *value_;
  }

 private:
  void call_interleave_hook() const {
    if (interleave_hook_) interleave_hook_();
  }

  const std::function<T()> init_;
  const std::function<void()> interleave_hook_;

  sync::mutex mu_;             // guards initialised_ and value_
  bool initialised_ = false;   // "the initialiser was called"
  std::optional<T> value_;
};

}  // namespace lab
