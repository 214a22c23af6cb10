// Lab 02.02 publish, WRONG (volatile-flag): the "published" flag is a `volatile bool`; read() polls it with
// yield().
//
// Why it looks right: volatile forces the compiler to load the flag from memory on every check, so the wait loop
// cannot be optimised into an endless one (the trap module 01's lesson 04 shows), and the flag is written after
// the payload. In Java or C# a volatile field would even be correct. Why it is wrong: in C++ volatile is for
// memory-mapped hardware, not for threads. A volatile access is not atomic and orders nothing between threads
// ([intro.races]: only atomic operations and the library's synchronisation make happens-before): writing the flag
// while another thread reads it is a data race, undefined behaviour, and nothing orders the payload's writes
// before the reads. The explorer reports the race on the flag in both reader tests; ThreadSanitizer reports it
// whenever a reader runs during the publish (PublishTest.PollingReaderSeesTheWholePayload,
// PublishTest.BlockedReadersWakeWhenPublished). The fix: sync::atomic<bool> with release and acquire.
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
    ready_ = true;  // volatile: really written to memory (BUG: still a data race, and it orders nothing)
  }

  std::optional<Payload> try_read() const {
    if (!ready_) return std::nullopt;  // volatile: really loaded from memory
    return value_;
  }

  Payload read() const {
    while (!ready_) sync::this_thread::yield();  // volatile: the loop reloads it every time
    return value_;
  }

 private:
  Payload value_;                     // written once by the winning publish(), before ready_; then read-only
  volatile bool ready_ = false;       // true once value_ is complete (BUG: volatile is not atomic)
  sync::atomic<bool> claimed_{false}; // true once some publish() has won the right to write value_
};

}  // namespace lab
