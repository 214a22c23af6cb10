// Lab 02.02 publish, NAIVE: a plain bool flag, set after the payload is written.
//
// The mistake people really make, and why it looks right: publish() writes the payload first and raises the
// flag last, and readers look at the flag before they touch the payload, so "a reader that sees the flag
// sees the payload" reads naturally top to bottom. On x86 it even works in practice: the CPU keeps stores in
// order and loads in order. But the source order of two plain writes promises another thread nothing. The
// compiler may reorder them, or keep the flag in a register (lesson 04 of module 01 shows g++ deleting such a
// wait loop), and ARM or POWER CPUs may make the flag visible before the payload. Above all, a plain bool
// written by one thread while another reads it is a data race, and a program with a data race has undefined
// behaviour ([intro.races]): nothing orders the publisher's writes of value_ before the reader's reads.
// The second publish() is rejected by the same plain flag: two publishers racing both find it false.
//
// The explorer reports the data race (on ready_ or on value_, with both lines) on the first schedule of every
// sim test; ThreadSanitizer reports it in every test where a reader runs while the publisher publishes.
//
// Lesson: modules/02-memory-model/02-happens-before.md.
#pragma once

#include <optional>
#include <stdexcept>
#include <vector>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

struct Payload {
  int version = 0;
  double threshold = 0.0;
  std::vector<int> ports;
  friend bool operator==(const Payload&, const Payload&) = default;
};

// NOT thread-safe: the flag and the payload are plain memory shared with no synchronisation.
class Mailbox {
 public:
  Mailbox() = default;
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  void publish(Payload p) {
    if (ready_) throw std::logic_error("Mailbox::publish: already published (a mailbox is published once)");
    value_ = std::move(p);
    ready_ = true;  // last, so the payload is complete when readers see it (in source order only)
  }

  std::optional<Payload> try_read() const {
    if (!ready_) return std::nullopt;
    return value_;
  }

  Payload read() const {
    while (!ready_) sync::this_thread::yield();  // wait for the publisher, politely
    return value_;
  }

 private:
  Payload value_;
  bool ready_ = false;  // a plain bool: a data race with every reader
};

}  // namespace lab
