// Lab 02.02 publish, WRONG (late-field): publish() writes the small fields, raises the flag with release, and
// moves the ports vector in after it.
//
// Why it looks right: the flag is a release store and the readers acquire it; the version and the threshold,
// which readers check first, are in place before it; the ports are "only used later", and moving a vector is
// cheap anyway. Why it is wrong: a release store publishes only the writes before it. The write of ports comes
// after, so a reader that sees the flag up copies ports while the publisher may be assigning it: a data race on
// that one field (and a torn vector: the reader can copy an empty or half-assigned one). One field is enough:
// the contract is "every field". The explorer reports the race on ports in both reader tests, ThreadSanitizer
// for a reader polling try_read() (PublishTest.PollingReaderSeesTheWholePayload, and the poller in
// PublishTest.BlockedReadersWakeWhenPublished). The fix: the flag goes up after the last write of the payload.
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
    value_.version = p.version;
    value_.threshold = p.threshold;
    // release: pairs with the acquire loads in try_read() and read()
    ready_.store(true, std::memory_order_release);
    value_.ports = std::move(p.ports);  // BUG: after the release store, so not published by it
    ready_.notify_all();
  }

  std::optional<Payload> try_read() const {
    // acquire: pairs with the release store in publish(); reading `true` orders the copy below after the
    // publisher's writes of value_.
    if (!ready_.load(std::memory_order_acquire)) return std::nullopt;
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
