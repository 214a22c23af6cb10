// Lab 02.02 publish, WRONG (relaxed-fast-path): read() first peeks at the flag with a relaxed load and acquires
// only in the wait() it falls back to.
//
// Why it looks right: the peek is only a fast path, and "the acquire is in the wait()": the blocking load is an
// acquire, so the ordering seems to be there. Why it is wrong: when the peek reads `true`, read() skips the
// wait() and copies value_ straight away, after a relaxed load. The acquire in wait() never runs on that path,
// so nothing orders the copy of value_ after the publisher's writes: a data race, and on a weakly ordered CPU a
// stale or half-written payload. Every load after which the payload is read must be an acquire (or be followed
// by an acquire fence). The explorer finds the schedule where the publisher is done before the reader's peek and
// reports the race on the payload (PublishTest.BlockingReadReturnsTheWholePayload). ThreadSanitizer would see it
// only in a run where the reader's peek finds the flag up, which depends on timing, so no ThreadSanitizer claim
// is made.
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
    // release: pairs with the acquire loads in try_read() and read(). Every write above happens-before
    // whatever a thread does after an acquire load that reads this `true`.
    ready_.store(true, std::memory_order_release);
    ready_.notify_all();  // after the store: a reader asleep in wait(false) wakes and sees `true`
  }

  std::optional<Payload> try_read() const {
    // acquire: pairs with the release store in publish(); reading `true` orders the copy below after the
    // publisher's writes of value_.
    if (!ready_.load(std::memory_order_acquire)) return std::nullopt;
    return value_;
  }

  Payload read() const {
    // relaxed: only a peek; the acquire is in the wait() below (BUG: when this load reads `true`, no wait()
    // runs, and nothing acquired the payload)
    if (!ready_.load(std::memory_order_relaxed)) {
      // acquire: pairs with the release store in publish(). wait() returns only after a load that read `true`,
      // and that load, an acquire, is what orders the copy below after the publisher's writes.
      ready_.wait(false, std::memory_order_acquire);
    }
    return value_;
  }

 private:
  Payload value_;                     // written once by the winning publish(), before ready_; then read-only
  sync::atomic<bool> ready_{false};   // true once value_ is complete; guards value_ (release/acquire)
  sync::atomic<bool> claimed_{false}; // true once some publish() has won the right to write value_
};

}  // namespace lab
