// Lab 02.02 publish, WRONG (check-then-publish): publish() refuses a second call by loading the flag: "already
// up? throw; otherwise write and raise it". No second flag.
//
// Why it looks right: the load is an acquire and the store a release, and a second publish() on the same thread
// (the test most people write) is refused. Why it is wrong: between the load and the store is a gap. Two
// threads that call publish() at once both load `false`, both pass the check, both write value_ at the same
// time (a data race on the payload) and both return as if they had won; readers can see a mix of the two
// payloads. The decision "I am the publisher" must be one indivisible read-modify-write (an exchange or a
// compare_exchange on a flag of its own), made before the payload is written; the ready flag can only be raised
// after the payload is written, so it cannot be that decision. The explorer finds the schedule and reports the
// race (PublishTest.OfTwoConcurrentPublishesExactlyOneWins).
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
    // acquire: pairs with the release store below (another publish()'s)
    if (ready_.load(std::memory_order_acquire)) {  // BUG: a check, then an act: two publishers both pass
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
};

}  // namespace lab
