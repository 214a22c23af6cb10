// Lab 02.02 publish, WRONG (fence-after-the-store): publication through fences, with relaxed operations on the
// flag, but the publisher's release fence comes after the store it should release.
//
// Why it looks right: fences are the "heavier" tool: a release fence and an acquire fence, and the flag itself
// can be relaxed. The reader's side is right (relaxed load, then the acquire fence, then the copy), and the
// publisher has its release fence "around" the store. Why it is wrong: a release fence orders the writes BEFORE
// it with the atomic stores AFTER it ([atomics.fences]: fence A synchronizes-with fence B when a store that is
// sequenced after A is read by a load sequenced before B). Here the store comes before the fence, so no store
// follows the fence, and the fence releases nothing: the reader's acquire fence has no partner, and its copy of
// value_ races with the publisher's writes. The explorer reports the race in both reader tests. (ThreadSanitizer
// does not model standalone fences, so it would report correct fence code too: no ThreadSanitizer claim. GCC says
// so itself with -Wtsan.) The fix: `atomic_thread_fence(release)` goes between the payload's writes and the
// store, or, simpler, the store itself is a release.
#pragma once

#include <optional>
#include <stdexcept>
#include <vector>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::atomic is std::atomic), instrumented in the sim build

// What gets published: a few plain fields, written once by the publisher, then only read.
struct Payload {
  int version = 0;
  double threshold = 0.0;
  std::vector<int> ports;
  friend bool operator==(const Payload&, const Payload&) = default;
};

// Mailbox: one value, published once, read by any number of threads.
//   - publish(p) may be called from any thread; the first call stores p and makes it readable. Every later
//     call (concurrent or not) throws std::logic_error and changes nothing.
//   - try_read() never blocks: nullopt until a publish() has finished, then a copy of the published value.
//   - read() blocks until a publish() has finished, then returns a copy of the published value.
// Happens-before: everything publish() wrote (the whole payload) happens-before the return of every
// try_read() that returns a value and of every read(). A reader never sees a half-written payload.
class Mailbox {
 public:
  Mailbox() = default;
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  void publish(Payload p) {
    // relaxed: pairs with nothing. It only decides which publish() wins; the loser throws and reads nothing.
    if (claimed_.exchange(true, std::memory_order_relaxed)) {
      throw std::logic_error("Mailbox::publish: already published (a mailbox is published once)");
    }
    value_ = std::move(p);  // only the winner writes, and no reader reads before ready_ says so
    // relaxed: the fences do the ordering (BUG: the release fence must come BEFORE this store)
    ready_.store(true, std::memory_order_relaxed);
    // release fence: meant to pair with the acquire fences in try_read() and read()
    sync::atomic_thread_fence(std::memory_order_release);
    ready_.notify_all();  // after the store: a reader asleep in wait(false) wakes and sees `true`
  }

  std::optional<Payload> try_read() const {
    // relaxed, then an acquire fence: pairs with the release fence in publish()
    if (!ready_.load(std::memory_order_relaxed)) return std::nullopt;
    sync::atomic_thread_fence(std::memory_order_acquire);
    return value_;
  }

  Payload read() const {
    // relaxed loads, then an acquire fence: pairs with the release fence in publish()
    if (!ready_.load(std::memory_order_relaxed)) ready_.wait(false, std::memory_order_relaxed);
    sync::atomic_thread_fence(std::memory_order_acquire);
    return value_;
  }

 private:
  Payload value_;                     // written once by the winning publish(), before ready_; then read-only
  sync::atomic<bool> ready_{false};   // true once value_ is complete; guards value_ (through the fences)
  sync::atomic<bool> claimed_{false}; // true once some publish() has won the right to write value_
};

}  // namespace lab
