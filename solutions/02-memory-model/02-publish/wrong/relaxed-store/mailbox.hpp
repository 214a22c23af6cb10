// Lab 02.02 publish, WRONG (relaxed-store): the readers load the flag with acquire, but publish() stores it with
// relaxed.
//
// Why it looks right: "acquire on the reader's side is what stops the reads from moving up", and the store is
// the last line of publish(), after every write of the payload, so it seems it cannot be seen first. Why it is
// wrong: synchronizes-with needs both halves, a release store and an acquire load that reads it. A relaxed
// store lets the payload's writes be made visible after it (by the compiler or a weakly ordered CPU), and the
// acquire load that reads it has nothing to acquire. Nothing orders the payload's writes before the reads: a
// data race. The explorer reports it on the payload in both reader tests
// (PublishTest.ReaderThatSeesTheFlagSeesTheWholePayload, PublishTest.BlockingReadReturnsTheWholePayload), and
// ThreadSanitizer for a reader polling try_read() (PublishTest.PollingReaderSeesTheWholePayload and the poller in
// PublishTest.BlockedReadersWakeWhenPublished; a reader that slept in wait() may be ordered after the publisher
// by the library's own wake-up machinery, a poller never is).
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
    value_ = std::move(p);
    // relaxed: the readers' loads are acquire, that is enough (BUG: an acquire pairs only with a release)
    ready_.store(true, std::memory_order_relaxed);
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
