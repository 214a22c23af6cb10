// Lab 02.02 publish, WRONG (copy-before-check): try_read() copies the payload first and checks the flag after,
// returning the copy only if the flag was up.
//
// Why it looks right: the flag is loaded with acquire and a copy is only handed out when the flag was up, so
// a caller never gets a value "before" it is published; copying first keeps the check and the return close
// together. Why it is wrong: the order of the steps is the order of the edges. An acquire load orders what
// comes AFTER it; the copy came before it, so it is not ordered after the publisher's writes, even when the
// load then reads `true`: the copy races with publish() (a data race; the copy can hold some fields from before
// and some from after the publish, and a half-assigned vector). Check, then act: load the flag with acquire,
// then copy. The explorer reports the race on the payload (PublishTest.ReaderThatSeesTheFlagSeesTheWholePayload),
// ThreadSanitizer for a reader polling try_read() (PublishTest.PollingReaderSeesTheWholePayload, and the poller
// in PublishTest.BlockedReadersWakeWhenPublished).
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
    Payload copy = value_;  // BUG: read before the acquire below, so not ordered after publish()'s writes
    // acquire: pairs with the release store in publish()
    if (!ready_.load(std::memory_order_acquire)) return std::nullopt;
    return copy;
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
