// Graded tests for lab 02.04, seqlock. Lesson: modules/02-memory-model/04-fences.md.
//
// Every quote the tests write is quote(k): bid 100k+1, ask 100k+2, bid_size 100k+3, ask_size 100k+4, so each
// field says which quote it came from, and a torn read (fields of two quotes) is named field by field.
//
// What judges what. A torn read needs a reader to copy in the few nanoseconds a write is in progress, and a
// missing memory order shows only on a CPU that reorders (x86 reorders almost nothing: modules/02-memory-model),
// so a stress test on this machine rarely catches either. The sim tests (CONCLAB_SIM_TEST) do, every run: in
// the sim build the explorer runs a reader and a writer on every schedule with up to two preemptions, lets
// every relaxed or acquire load read any older value the C++ memory model allows, models fences, and checks
// every plain load and store for data races. ThreadSanitizer cannot judge this lab: it does not model
// standalone fences, and it sees no data race between atomics, whatever their memory order; it does report a
// payload of plain fields (SeqlockTest.ReadersDuringWritesSeeOnlyWholeQuotes).
//
// A read() that never returns (a counter left odd) fails under a watchdog on real threads, and is reported by
// the explorer as a thread that spins forever in the sim build.
#include <seqlock.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "conclab/run_threads.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"
#include "conclab/watchdog.hpp"

namespace {

using namespace std::chrono_literals;

constexpr const char* kLesson = "modules/02-memory-model/04-fences.md";

// The k-th quote: every field says k.
lab::Quote quote(std::int64_t k) { return {100 * k + 1, 100 * k + 2, 100 * k + 3, 100 * k + 4}; }

// Which quote(k) q is, or -1 for a quote that was never written (torn, or garbage).
std::int64_t which(const lab::Quote& q) {
  const std::int64_t k = (q.bid - 1) / 100;
  return q.bid >= 1 && q == quote(k) ? k : -1;
}

// "bid 101 (quote 1), ask 2 (quote 0), ...": where each field came from.
std::string fields(const lab::Quote& q) {
  std::ostringstream out;
  const char* names[] = {"bid", "ask", "bid_size", "ask_size"};
  const std::int64_t values[] = {q.bid, q.ask, q.bid_size, q.ask_size};
  for (int i = 0; i < 4; ++i) {
    const std::int64_t v = values[i] - (i + 1);
    out << (i > 0 ? ", " : "") << names[i] << ' ' << values[i];
    if (v >= 0 && v % 100 == 0) {
      out << " (quote " << v / 100 << ')';
    } else {
      out << " (no quote's)";
    }
  }
  return out.str();
}

// The failure message for a read that returned something other than one of the quotes written so far.
std::string explain_torn(const std::string& when, const lab::Quote& q) {
  std::ostringstream out;
  out << when << ", read() returned {" << fields(q) << "}: a mix of quotes, a \"torn read\". read() must return "
      << "one whole quote. In the schedule below the reader copied the payload while a write was in progress and "
      << "kept the copy. Look for the step that let it: does read() check that its first load of the counter is "
      << "even, load the counter again after the payload and compare, and try again (a loop, not one retry) until "
      << "both hold? Does write() make the counter odd before the payload and even after? If all of that is "
      << "there, look for a load marked \"an older value\" or \"read early\": a memory order is missing. The "
      << "writer needs a release fence between its odd store and the payload stores and a release store of the "
      << "even value; the reader an acquire load of the counter first and an acquire fence between the payload "
      << "loads and the second load of the counter. Read " << kLesson << ", \"The seqlock's four orders\".";
  return out.str();
}

// read() on real threads under a watchdog: a read() that never returns fails with words instead of hanging the
// run. In the sim build, directly: the explorer reports a reader that spins forever itself, with the schedule.
std::optional<lab::Quote> read_in_time(const std::shared_ptr<lab::QuoteSeqlock>& lock) {
  if (conclab::sync::kSimulated) return lock->read();
  auto out = std::make_shared<lab::Quote>();
  if (!conclab::returns_in_time([lock, out] { *out = lock->read(); }, conclab::patience(3s))) return std::nullopt;
  return *out;
}

constexpr const char* kNeverReturns =
    "read() did not return within seconds, though no write was in progress: it keeps trying again. The counter "
    "must be even whenever no write() is running (a write makes it odd, then even again), and a reader must try "
    "again only while the counter is odd or has moved";

TEST(SeqlockTest, ANewSeqlockHoldsItsInitialQuote) {
  const auto empty = std::make_shared<lab::QuoteSeqlock>();
  const std::optional<lab::Quote> zero = read_in_time(empty);
  ASSERT_TRUE(zero.has_value()) << kNeverReturns << ". Read " << kLesson << '.';
  EXPECT_EQ(*zero, lab::Quote{}) << "a default-constructed QuoteSeqlock holds Quote{} (all zero), but read() returned {"
                                 << fields(*zero) << "}. Start the payload words and the counter at 0.";
  const auto given = std::make_shared<lab::QuoteSeqlock>(quote(7));
  const std::optional<lab::Quote> seven = read_in_time(given);
  ASSERT_TRUE(seven.has_value()) << kNeverReturns << ". Read " << kLesson << '.';
  EXPECT_EQ(*seven, quote(7)) << "QuoteSeqlock(q) must hold q until the first write(), but read() returned {"
                              << fields(*seven) << "} for q = {" << fields(quote(7))
                              << "}. Initialise the payload words from the constructor's argument.";
}

TEST(SeqlockTest, ReadReturnsTheLastQuoteWritten) {
  const auto lock = std::make_shared<lab::QuoteSeqlock>(quote(0));
  for (std::int64_t k = 1; k <= 5; ++k) {
    lock->write(quote(k));
    const std::optional<lab::Quote> got = read_in_time(lock);
    ASSERT_TRUE(got.has_value()) << "after write() number " << k << " on one thread, " << kNeverReturns << ". Read "
                                 << kLesson << '.';
    ASSERT_EQ(*got, quote(k)) << "on one thread, write(quote " << k << ") then read() returned {" << fields(*got)
                              << "}: read() must return the quote the last write() stored, every field of it. "
                              << "Fix this before trying several threads.";
  }
}

// One writer stores quote 1, 2, ..., kWrites while two readers read over and over, on real threads. Each read must
// be one whole quote, and a reader never goes back to an older one. On x86 a torn read needs a reader to copy in
// the nanoseconds a write is in progress: this test catches a missing seqlock now and then; the sim tests below
// catch the rest, every run. ThreadSanitizer reports a payload of plain fields here on every run: the writer waits
// for the readers' first reads through a relaxed atomic, which orders nothing, so its writes are unordered with
// those reads (a flag with acquire/release would order them, and a writer that ran first would hide the race).
// The readers read a fixed number of times: with a relaxed "writer done" flag they polled, ThreadSanitizer (clang
// 14) missed the race in most runs.
TEST(SeqlockTest, ReadersDuringWritesSeeOnlyWholeQuotes) {
  constexpr std::int64_t kWrites = 2'000;
  constexpr int kReads = 2'000;
  constexpr int kReaders = 2;
  struct State {
    lab::QuoteSeqlock lock{quote(0)};
    conclab::sync::atomic<int> readers_started{0};    // relaxed: a count, orders nothing
    conclab::sync::atomic<bool> writer_finished{false};  // relaxed: orders nothing
    std::string failure[kReaders];
  };
  const auto state = std::make_shared<State>();
  const bool returned = conclab::returns_in_time(
      [state] {
        conclab::run_threads(kReaders + 1, [&](int i) {
          if (i == kReaders) {
            // Write only once both readers have read: the writes then overlap the reads.
            while (state->readers_started.load(std::memory_order_relaxed) < kReaders) {
              conclab::sync::this_thread::yield();
            }
            for (std::int64_t k = 1; k <= kWrites; ++k) state->lock.write(quote(k));
            state->writer_finished.store(true, std::memory_order_relaxed);
            return;
          }
          std::int64_t last = 0;
          for (int r = 0; r < kReads; ++r) {
            const lab::Quote q = state->lock.read();
            if (r == 0) state->readers_started.fetch_add(1, std::memory_order_relaxed);
            const std::int64_t k = which(q);
            if (k < 0) {
              state->failure[i] = explain_torn("while one thread wrote 2'000 quotes", q);
              return;
            }
            if (k < last) {
              state->failure[i] = "a reader read quote " + std::to_string(last) + " and then quote " +
                                  std::to_string(k) + ", an older one: a quote a reader has seen must stay seen.";
              return;
            }
            last = k;
          }
          // A reader thread that has ended before the writer's stores may be forgotten by ThreadSanitizer: stay.
          while (!state->writer_finished.load(std::memory_order_relaxed)) conclab::sync::this_thread::yield();
        });
      },
      conclab::patience(10s));
  ASSERT_TRUE(returned) << "one writer and two readers on real threads did not finish within seconds: read() never "
                        << "returns (a counter left odd, or a reader that waits for something) or write() waits for "
                        << "the readers. Read " << kLesson << '.';
  for (const std::string& f : state->failure) EXPECT_TRUE(f.empty()) << f << " Read " << kLesson << '.';
  const std::optional<lab::Quote> after = read_in_time(std::shared_ptr<lab::QuoteSeqlock>(state, &state->lock));
  ASSERT_TRUE(after.has_value()) << "after the writer was joined, " << kNeverReturns << ". Read " << kLesson << '.';
  EXPECT_EQ(*after, quote(kWrites)) << "after the writer had stored quote " << kWrites << " and was joined, read() "
                                    << "returned {" << fields(*after) << "}: a read after a write() has returned "
                                    << "must see it. Read " << kLesson << '.';
}

// In the sim build: every schedule (up to two preemptions) of a writer storing quote 1 while the test's thread
// reads twice, each relaxed or acquire load reading any value the memory model allows. Two reads, because after
// a first whole read the second one starts by loading the counter again, and the explorer runs the writer right
// there: the reader is mid-read when the write lands.
CONCLAB_SIM_TEST(SeqlockTest, AReadDuringAWriteSeesOneWholeQuote) {
  conclab::sim::explain("read() spins forever while nothing writes: the counter was left odd");
  const auto lock = std::make_shared<lab::QuoteSeqlock>(quote(0));
  std::optional<lab::Quote> first, second;
  {
    conclab::sync::jthread writer([lock] { lock->write(quote(1)); });
    first = read_in_time(lock);
    second = read_in_time(lock);
  }  // joined
  ASSERT_TRUE(first.has_value() && second.has_value()) << kNeverReturns << ". Read " << kLesson << '.';
  ASSERT_NE(which(*first), -1) << explain_torn("while another thread wrote quote 1 over quote 0", *first);
  ASSERT_NE(which(*second), -1) << explain_torn("while another thread wrote quote 1 over quote 0 (the second read)",
                                                *second);
  EXPECT_LE(which(*first), which(*second))
      << "a reader read quote 1 and then quote 0: it went back to a quote the writer had already replaced. A reader "
      << "that has seen a write must not see an older one (the release store of the even counter and the acquire "
      << "load of it in read() order this). Read " << kLesson << '.';
}

// The writer stores quote 1 and then quote 2 while the test's thread reads once: the read may overlap either write,
// or fall between them.
CONCLAB_SIM_TEST(SeqlockTest, AReadDuringTwoWritesSeesOneWholeQuote) {
  conclab::sim::explain("read() spins forever while nothing writes: the counter was left odd");
  const auto lock = std::make_shared<lab::QuoteSeqlock>(quote(0));
  std::optional<lab::Quote> seen;
  {
    conclab::sync::jthread writer([lock] {
      lock->write(quote(1));
      lock->write(quote(2));
    });
    seen = read_in_time(lock);
  }  // joined
  ASSERT_TRUE(seen.has_value()) << kNeverReturns << ". Read " << kLesson << '.';
  EXPECT_NE(which(*seen), -1) << explain_torn("while another thread wrote quote 1 and then quote 2 over quote 0",
                                              *seen);
}

// Two writers, one quote each, then a read after both are joined: the quote must be one of the two, whole. Two
// writers that do not take turns interleave their stores to the payload (and to the counter, which can end odd).
CONCLAB_SIM_TEST(SeqlockTest, TwoWritersTakeTurns) {
  conclab::sim::explain("after two writes read() spins forever: the counter was left odd. Two writers that load the "
                        "counter, add one and store it without taking turns can both start from the same value, or "
                        "one can start from the other's odd value: the counter ends out of step");
  const auto lock = std::make_shared<lab::QuoteSeqlock>(quote(0));
  {
    conclab::sync::jthread a([lock] { lock->write(quote(1)); });
    conclab::sync::jthread b([lock] { lock->write(quote(2)); });
  }  // both joined
  const std::optional<lab::Quote> seen = read_in_time(lock);
  ASSERT_TRUE(seen.has_value()) << "after two writers were joined, " << kNeverReturns << ". Two writers that do not "
                                << "take turns can leave the counter odd. Read " << kLesson << '.';
  const std::int64_t k = which(*seen);
  EXPECT_TRUE(k == 1 || k == 2)
      << "two threads wrote quote 1 and quote 2 and were joined; read() must return one of the two, whole, but it "
      << "returned {" << fields(*seen) << "}. "
      << (k == 0 ? "That is the quote both writes replaced: a write was lost."
                 : "The two writes interleaved their stores to the payload, in the schedule below: writers must take "
                   "turns, a sync::mutex locked for the whole of write() (readers never touch it).")
      << " Read " << kLesson << '.';
}

}  // namespace
