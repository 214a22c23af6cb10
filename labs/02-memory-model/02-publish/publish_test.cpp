// Graded tests for lab 02.02, publish. Lesson: modules/02-memory-model/02-happens-before.md.
//
// What is being tested is one edge: everything publish() writes into the payload must happen-before every
// read of the payload by a thread that was told "it is published" (a try_read() that returned a value, a
// read() that returned). On x86 a missing edge almost never shows in a real run: the CPU keeps stores in
// order and loads in order, so a stress test of a wrong version passes. Three tools see the edge itself:
//   - the sim tests (CONCLAB_SIM_TEST) run under the explorer in the graded run's sim build. It tries every
//     schedule of the publisher and the readers (up to two preemptions), lets an atomic load that is not
//     ordered read an older value, as the C++ memory model allows, and checks every plain read and write of
//     the payload by happens-before: a read of value_ that is not ordered after the write of value_ is a data
//     race, reported with both lines on the first schedule where both happen, every run. A reader asleep in
//     wait() that nobody wakes is reported as a lost wakeup, with the schedule;
//   - ThreadSanitizer (the graded run's TSan build) reports the same data races on real threads, in the tests
//     where a reader reads while the publisher publishes (PollingReaderSeesTheWholePayload,
//     BlockedReadersWakeWhenPublished);
//   - the other tests check the API on one thread: empty before publish, the value after, a second publish
//     refused.
// A data race report names a line in mailbox.hpp that reads the payload (or the flag) and a line that writes
// it: that pair is the missing happens-before edge. Which atomic operation should have made it, and in which
// order, is the lesson's section "Synchronizes-with".
#include <mailbox.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "conclab/run_threads.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/start_gate.hpp"
#include "conclab/sync.hpp"
#include "conclab/watchdog.hpp"

// How GoogleTest prints a Payload in a failed EXPECT_EQ (instead of its bytes).
namespace lab {
inline void PrintTo(const Payload& p, std::ostream* out) {
  *out << "{version " << p.version << ", threshold " << p.threshold << ", ports [";
  for (std::size_t i = 0; i < p.ports.size(); ++i) *out << (i ? ", " : "") << p.ports[i];
  *out << "]}";
}
}  // namespace lab

namespace {

using namespace std::chrono_literals;

constexpr const char* kLesson = "modules/02-memory-model/02-happens-before.md";

lab::Payload sample() { return lab::Payload{7, 0.25, {80, 443, 8080}}; }
lab::Payload other_sample() { return lab::Payload{9, 0.5, {22, 2222}}; }

std::string show(const lab::Payload& p) {
  std::ostringstream out;
  lab::PrintTo(p, &out);
  return out.str();
}

// Field by field: which fields of what a reader got differ from what was published, and what that means.
std::string explain_torn(const char* who, const lab::Payload& got, const lab::Payload& want) {
  std::ostringstream out;
  out << who << " got " << show(got) << " but " << show(want) << " was published. ";
  if (got.version != want.version) out << "version differs. ";
  if (got.threshold != want.threshold) out << "threshold differs. ";
  if (got.ports != want.ports) out << "ports differ. ";
  out << "A reader that was told \"published\" must see every field publish() wrote: every write into the "
      << "payload must come before the store that raises the flag (in publish()), and the load that sees the "
      << "flag must come before every read of the payload (in try_read() and read()), with a release store "
      << "and an acquire load making the edge between them. Read " << kLesson << " (\"Synchronizes-with\").";
  return out.str();
}

// ---- One thread: the API ----

TEST(PublishTest, TryReadBeforePublishIsEmpty) {
  const lab::Mailbox box;
  const std::optional<lab::Payload> got = box.try_read();
  EXPECT_FALSE(got.has_value()) << "nothing was published, but try_read() returned "
                                << show(got.value_or(lab::Payload{})) << ": try_read() must return std::nullopt until publish() has finished. Read "
                                << kLesson << '.';
}

TEST(PublishTest, PublishedValueIsReadBack) {
  lab::Mailbox box;
  box.publish(sample());
  const std::optional<lab::Payload> polled = box.try_read();
  ASSERT_TRUE(polled.has_value()) << "publish() returned, then try_read() on the same thread returned nothing: "
                                  << "once publish() has finished, try_read() must return the value. Read " << kLesson
                                  << '.';
  EXPECT_EQ(*polled, sample()) << explain_torn("try_read() after publish() on one thread", *polled, sample());
  const lab::Payload read = box.read();  // published already: must not block
  EXPECT_EQ(read, sample()) << explain_torn("read() after publish() on one thread", read, sample());
  EXPECT_EQ(box.read(), sample()) << "a second read() must return the same value: reading does not consume it";
}

TEST(PublishTest, SecondPublishThrowsAndKeepsTheFirst) {
  lab::Mailbox box;
  box.publish(sample());
  bool threw = false;
  try {
    box.publish(other_sample());
  } catch (const std::logic_error&) {
    threw = true;
  }
  EXPECT_TRUE(threw) << "publish() was called a second time and did not throw std::logic_error: a mailbox is "
                     << "published once. Overwriting the payload while readers may be copying it would be a data "
                     << "race (a reader between the first and the second write sees a mix), so the second call "
                     << "must be refused, and refused loudly. Read " << kLesson << '.';
  const std::optional<lab::Payload> got = box.try_read();
  ASSERT_TRUE(got.has_value()) << "after a publish() and a refused second publish(), try_read() returned nothing: "
                               << "the first publish() must stay readable. Read " << kLesson << '.';
  EXPECT_EQ(*got, sample()) << "the refused second publish() changed the value: a refused call must change nothing. "
                            << explain_torn("try_read()", *got, sample());
}

// ---- Real threads ----

// A reader that polls try_read() until it returns a value, or gives up: once the publisher has said it returned
// (`published`, relaxed on both sides so that it orders nothing, which would hide a race from ThreadSanitizer),
// kLatePolls more empty polls mean try_read() never reports the publish.
constexpr int kLatePolls = 100'000;
std::optional<lab::Payload> poll(const lab::Mailbox& box, const std::atomic<bool>& published) {
  int late = 0;
  for (;;) {
    if (std::optional<lab::Payload> got = box.try_read()) return got;
    if (published.load(std::memory_order_relaxed) && ++late > kLatePolls) return std::nullopt;
    std::this_thread::yield();
  }
}

constexpr const char* kNeverSeen =
    "publish() returned, but the reader polling try_read() still got nothing after 100000 more tries: once "
    "publish() has returned, try_read() must return the value.";

// A reader polls try_read() while the publisher publishes. Nothing but the mailbox orders the publisher's writes
// before the reader's reads (the start gate orders only what came before it), so ThreadSanitizer reports any
// read of the flag or the payload that the mailbox leaves unordered, whether or not the bytes came out right.
TEST(PublishTest, PollingReaderSeesTheWholePayload) {
  lab::Mailbox box;
  std::atomic<bool> published{false};
  std::optional<lab::Payload> got;
  conclab::run_threads(2, [&](int i) {
    if (i == 0) {
      box.publish(sample());
      published.store(true, std::memory_order_relaxed);  // relaxed: orders nothing (see poll())
    } else {
      got = poll(box, published);
    }
  });
  ASSERT_TRUE(got.has_value()) << kNeverSeen << " Read " << kLesson << '.';
  EXPECT_EQ(*got, sample()) << explain_torn("a reader polling try_read()", *got, sample());
}

// Two readers block in read() while a third polls try_read() and a fourth thread publishes; publish() must wake
// every reader that sleeps. A reader that sleeps through the publish (no notify, or a notify sent before the
// store: a lost wakeup) hangs; the watchdog turns that into this message. (Whether a reader is asleep at the
// moment of the publish depends on timing; the sim test BlockingReadReturnsTheWholePayload finds the lost wakeup
// on every run.) The polling reader is what makes ThreadSanitizer's verdict the same on every run: a reader woken
// by notify_all() may be ordered after the publisher by the library's own wake-up machinery, a poller never is.
TEST(PublishTest, BlockedReadersWakeWhenPublished) {
  struct State {
    lab::Mailbox box;
    std::atomic<bool> published{false};
    std::vector<lab::Payload> got = std::vector<lab::Payload>(3);
  };
  auto state = std::make_shared<State>();
  const bool returned = conclab::returns_in_time(
      [state] {
        conclab::run_threads(4, [&](int i) {
          const auto slot = static_cast<std::size_t>(i);
          if (i == 3) {
            state->box.publish(sample());
            state->published.store(true, std::memory_order_relaxed);  // relaxed: orders nothing (see poll())
          } else if (i == 2) {
            const std::optional<lab::Payload> polled = poll(state->box, state->published);
            EXPECT_TRUE(polled.has_value()) << kNeverSeen << " Read " << kLesson << '.';
            state->got[slot] = polled.value_or(lab::Payload{});
          } else {
            state->got[slot] = state->box.read();
          }
        });
      },
      conclab::patience(5s));
  ASSERT_TRUE(returned) << "two threads called read(), one polled try_read() and one published; after 5 s a reader "
                        << "is still blocked. publish() must wake every reader that waits: notify_all() after the "
                        << "store that raises the flag (a notify before the store can reach a reader that then checks, "
                        << "finds the flag still down, and sleeps again; no notify at all leaves sleeping readers "
                        << "asleep). Read " << kLesson << " (\"Waiting for the flag\").";
  for (std::size_t i = 0; i < state->got.size(); ++i) {
    const char* who = i == 2 ? "the reader polling try_read()" : "a reader blocked in read()";
    EXPECT_EQ(state->got[i], sample()) << explain_torn(who, state->got[i], sample());
  }
}

TEST(PublishTest, ManyReadersReadTheSameValueAtOnce) {
  lab::Mailbox box;
  box.publish(sample());  // before the threads start: only reading is concurrent here
  std::vector<lab::Payload> got(4);
  conclab::run_threads(4, [&](int i) {
    got[static_cast<std::size_t>(i)] = i % 2 == 0 ? box.read() : box.try_read().value_or(lab::Payload{});
  });
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i], sample()) << explain_torn("one of four concurrent readers", got[i], sample())
                                << " (Readers only read: they need no lock between them.)";
  }
}

// ---- Under the explorer ----

// The reader looks once, while the publisher publishes. If it is told "published", every field must be the
// published one, and the explorer checks that each read of the payload is ordered after the write it reads.
//
// If the explorer reports a DATA RACE here, the read it names is not ordered after the write it names: the
// happens-before chain "payload written -> flag stored -> flag loaded -> payload read" is broken somewhere. Walk
// the printed schedule backwards from the racing read and check each link (lesson, "Happens-before"):
//   1. was every write of the payload before the store that raised the flag (not after it)?
//   2. was that store a release (not relaxed), and is there one at all (not a plain or volatile bool)?
//   3. was the load that read `true` an acquire (not relaxed), and did it read that store?
//   4. was the payload read after that load (not copied first and checked after)?
// A race reported at `struct Payload {` is inside the copy or the assignment the compiler writes for Payload.
CONCLAB_SIM_TEST(PublishTest, ReaderThatSeesTheFlagSeesTheWholePayload) {
  lab::Mailbox box;
  std::optional<lab::Payload> got;
  {
    conclab::sync::jthread reader([&] { got = box.try_read(); });
    box.publish(sample());
  }  // joined
  if (got) {
    EXPECT_EQ(*got, sample()) << explain_torn("try_read(), racing publish(),", *got, sample());
  }
  const std::optional<lab::Payload> after = box.try_read();
  ASSERT_TRUE(after.has_value()) << "publish() returned and the reader was joined, but try_read() returns nothing: "
                                 << "once publish() has finished, try_read() must return the value. Read " << kLesson
                                 << '.';
  EXPECT_EQ(*after, sample()) << explain_torn("try_read() after the join", *after, sample());
}

// A reader blocks in read() while the publisher publishes: read() must return (a lost wakeup is reported by the
// explorer with the schedule), and return the whole payload. A DATA RACE here has the four causes listed above
// the previous test; look especially at the load that let read() skip wait(): it must be an acquire too.
CONCLAB_SIM_TEST(PublishTest, BlockingReadReturnsTheWholePayload) {
  conclab::sim::explain(
      "a reader waited in read() and nobody woke it: publish() must call notify_all() AFTER the store that raises "
      "the flag (a notify sent before the store finds the reader still checking, or wakes it to see the flag "
      "down; without a notify a sleeping reader sleeps forever). Read " + std::string(kLesson) +
      " (\"Waiting for the flag\")");
  lab::Mailbox box;
  lab::Payload got;
  {
    conclab::sync::jthread reader([&] { got = box.read(); });
    box.publish(sample());
  }  // joined
  EXPECT_EQ(got, sample()) << explain_torn("read(), racing publish(),", got, sample());
}

// Two threads publish at once: exactly one must win, the other must get std::logic_error, and the mailbox must
// hold the winner's value whole. Deciding "not published yet" with a load and then writing is check-then-act:
// both publishers pass the check, both write the payload (a data race the explorer reports), and both return.
CONCLAB_SIM_TEST(PublishTest, OfTwoConcurrentPublishesExactlyOneWins) {
  lab::Mailbox box;
  bool a_threw = false;
  bool b_threw = false;
  {
    conclab::sync::jthread a([&] {
      try {
        box.publish(sample());
      } catch (const std::logic_error&) {
        a_threw = true;
      }
    });
    conclab::sync::jthread b([&] {
      try {
        box.publish(other_sample());
      } catch (const std::logic_error&) {
        b_threw = true;
      }
    });
  }  // joined
  ASSERT_NE(a_threw, b_threw)
      << "two threads called publish() at once and " << (a_threw ? "both threw" : "neither threw")
      << ": exactly one must win and the other must get std::logic_error. Deciding with a load (\"not published "
      << "yet\") and acting later lets both publishers through the check; the decision must be one "
      << "read-modify-write (exchange, or compare_exchange) on a flag of its own, taken before the payload is "
      << "written. Read " << kLesson << " (\"One publisher\").";
  const std::optional<lab::Payload> got = box.try_read();
  ASSERT_TRUE(got.has_value()) << "one publish() won and both threads were joined, but try_read() returns nothing: "
                               << "the winner's publish() must make the value readable. Read " << kLesson << '.';
  const lab::Payload want = a_threw ? other_sample() : sample();
  EXPECT_EQ(*got, want) << explain_torn("try_read() after two publishers", *got, want);
}

}  // namespace
