// Lab 02.02: publish a value from one thread to many.
// Lesson: modules/02-memory-model/02-happens-before.md.   Check: ./conclab check 02.02
//
// One thread prepares a Payload (a few plain fields and a vector) and publishes it; other threads wait for it and
// read it. Make lab::Mailbox do that safely:
//
//   - publish(p) may be called from any thread. The first call stores p and makes it readable. Every later call,
//     concurrent or not, throws std::logic_error and changes nothing: a mailbox is published once.
//   - try_read() never blocks: std::nullopt until a publish() has finished, then a copy of the published value.
//   - read() blocks until a publish() has finished, then returns a copy of the published value. It must not burn
//     a core while it waits.
//   - A reader that is told "published" (a try_read() that returned a value, a read() that returned) sees every
//     field publish() wrote, never a mix of old and new.
//
// The last rule is the lab. "Write the payload, then set a flag; check the flag, then read the payload" is the
// right shape, but with a plain bool it is a data race (undefined behaviour), and with an atomic it is only
// right with the right memory orders: the store that raises the flag must be a release, the load that sees it
// an acquire, and the payload must be written entirely before the one and read entirely after the other. On x86
// a wrong order almost never shows in a real run; the graded run's explorer (the sim build) and ThreadSanitizer
// see the missing edge itself. Get it right with the default order (seq_cst) first, then name the orders
// publication really needs, each with a comment naming the operation it pairs with.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp):
// sync::atomic is std::atomic, and so on. The one difference is in the sim build, where they are instrumented so
// that the explorer can try every schedule of your threads and every value the memory model lets a load read.
#pragma once

#include <optional>
#include <stdexcept>
#include <vector>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// What gets published: a few plain fields, written once by the publisher, then only read. (Leave it as it is:
// the tests build and compare Payloads.) A data race reported at the line `struct Payload {` is in the copy or the
// assignment the compiler writes for Payload (`return value_;`, `value_ = std::move(p);`): the schedule printed
// with it shows, on the step before, which load of the flag let that copy happen unordered.
struct Payload {
  int version = 0;
  double threshold = 0.0;
  std::vector<int> ports;
  friend bool operator==(const Payload&, const Payload&) = default;
};

class Mailbox {
 public:
  Mailbox() = default;
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  void publish(Payload p) {
    // TODO(lab): refuse a second publish() with std::logic_error, even when two threads call publish() at the
    // same moment: the decision "I am the one publisher" must be one indivisible read-modify-write on an atomic
    // of its own (exchange), taken before the payload is written. Then write the payload, then raise the
    // "published" flag (a sync::atomic<bool>: a release store), then wake the readers asleep in read().
    (void)p;
  }

  std::optional<Payload> try_read() const {
    // TODO(lab): load the flag (acquire) and, only if it is up, return a copy of the payload. Reading the
    // payload before looking at the flag reads it while the publisher may be writing it.
    return std::nullopt;
  }

  Payload read() const {
    // TODO(lab): wait until the flag is up, without burning a core (sync::atomic's wait(false), which needs a
    // notify_all() in publish()), then return a copy of the payload. The load that finally sees the flag up must
    // be an acquire.
    return Payload{};
  }

 private:
  // TODO(lab): the payload, the "published" flag that guards it, and a flag that decides the one publisher.
};

}  // namespace lab
