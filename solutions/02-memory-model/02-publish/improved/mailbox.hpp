// Lab 02.02 publish, IMPROVED: the flag is a sync::atomic<bool> with the default order, seq_cst.
//
// What changed from naive, and why: ready_ is an atomic, so the reader's loads of it are no longer a data race
// with the publisher's store, and the default order, seq_cst, includes release on the store and acquire on the
// load: a reader whose load reads `true` synchronizes-with the store, so everything publish() wrote into value_
// before the store happens-before the reader's copy of value_ ([intro.races]). The explorer and
// ThreadSanitizer are both quiet. read() no longer burns a core: it sleeps in ready_.wait(false) until
// publish() stores `true` and notifies. A second publish() is refused by an exchange on a second flag,
// claimed_: one indivisible read-modify-write, so of two concurrent publish() calls exactly one gets `false`
// back and writes value_ (a load, then a store would let both through, and both would write value_).
//
// What is left: seq_cst asks for more than publication needs. It puts every seq_cst operation of the program in
// one total order; here one flag is stored once, so that order buys nothing, and on x86 the seq_cst store is an
// `xchg` (a full barrier) where a release store is a plain `mov`. The final version names the two orders
// publication needs, release and acquire, and spins a few rounds before sleeping.
//
// Lesson: modules/02-memory-model/02-happens-before.md.
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
// try_read() that returns a value and of every read().
class Mailbox {
 public:
  Mailbox() = default;
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  void publish(Payload p) {
    if (claimed_.exchange(true)) {  // one read-modify-write: exactly one publisher sees false
      throw std::logic_error("Mailbox::publish: already published (a mailbox is published once)");
    }
    value_ = std::move(p);
    ready_.store(true);    // seq_cst, so also a release: the writes above are published by it
    ready_.notify_all();   // after the store, or a reader may check, sleep, and miss it
  }

  std::optional<Payload> try_read() const {
    if (!ready_.load()) return std::nullopt;  // seq_cst, so also an acquire of the store in publish()
    return value_;
  }

  Payload read() const {
    ready_.wait(false);  // sleeps while ready_ is false; its final load (seq_cst) reads publish()'s store
    return value_;
  }

 private:
  Payload value_;                      // written once by the winning publish(), before ready_; then read-only
  sync::atomic<bool> ready_{false};    // true once value_ is complete
  sync::atomic<bool> claimed_{false};  // true once some publish() has won the right to write value_
};

}  // namespace lab
