// Lab 02.02 publish, WRONG (flag-before-payload): publish() raises the flag first and writes the payload after.
//
// Why it looks right: the store is a release and the loads are acquires, "so the ordering is handled", and
// raising the flag early lets sleeping readers start waking up while the payload is being copied in. Why it is
// wrong: a release store publishes the writes that come BEFORE it in its thread, and only those. The payload's
// writes come after it, so a reader that sees the flag up is not ordered after them: it copies value_ while the
// publisher writes it (a data race; with a std::vector inside, a copy of a half-assigned vector can read a
// length and a pointer that do not belong together). The explorer reports the race on the payload in both
// reader tests; ThreadSanitizer reports it for a reader polling try_read()
// (PublishTest.PollingReaderSeesTheWholePayload, and the poller in PublishTest.BlockedReadersWakeWhenPublished).
// The fix: every write of the payload, then the release store.
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
    // release: pairs with the acquire loads in try_read() and read()
    ready_.store(true, std::memory_order_release);  // BUG: raised before the payload exists
    value_ = std::move(p);  // readers may already be copying it
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
