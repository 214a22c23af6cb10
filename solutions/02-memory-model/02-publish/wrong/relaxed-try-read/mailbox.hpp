// Lab 02.02 publish, WRONG (relaxed-try-read): publish() stores the flag with release, read() loads it with
// acquire, but try_read() checks it with a relaxed load.
//
// Why it looks right: try_read() is only a peek that never blocks, the publisher already did the "expensive"
// release, and on x86 a relaxed load and an acquire load are the same `mov`: no test on this machine ever sees a
// difference. Why it is wrong: a release store synchronizes-with an acquire load that reads it, and with nothing
// else. A relaxed load that reads `true` orders nothing after it, so the copy of value_ is not ordered after the
// publisher's writes: a data race, and on ARM or POWER (or after a compiler hoists the copy above the check) a
// reader that sees the flag up may copy an old or half-written payload. The explorer reports the race on the
// payload with both lines (PublishTest.ReaderThatSeesTheFlagSeesTheWholePayload), and ThreadSanitizer, which
// models a relaxed load as acquiring nothing, reports it for a reader polling try_read()
// (PublishTest.PollingReaderSeesTheWholePayload, and the poller in PublishTest.BlockedReadersWakeWhenPublished).
// The fix: the load that decides to read the payload is an acquire.
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
    // relaxed: a peek, and the publisher already released (BUG: a release pairs only with an acquire)
    if (!ready_.load(std::memory_order_relaxed)) return std::nullopt;
    return value_;
  }

  Payload read() const {
    // acquire: pairs with the release store in publish(). The fast path: already published, one load.
    if (!ready_.load(std::memory_order_acquire)) {
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
