// Graded tests for lab 01.08, the channel: bounded, closable, with non-blocking, deadline and stop_token
// variants of send and receive.
//
// Threads that must be blocked when the test acts count down a latch just before their blocking call. The
// test cannot know that they are already asleep inside it, and does not need to: every assertion holds
// whether a thread blocked first or arrived after the change (a send to a full channel can never complete
// before a receive makes room). Deadlines are either already in the past (the answer must come at once) or
// an hour away (the thread must be woken by the test, never by the clock): nothing depends on timing.
//
// Because a latch cannot say that a thread is already asleep, those tests catch a missing or too-narrow notify
// only in the runs where the thread fell asleep first. The sim tests at the end make that deterministic: the
// explorer runs the schedules where every waiter is asleep before the other side acts, so a close() that wakes
// nobody, or one waiter, or only the receivers, a receive that never wakes a sender, a notify on the wrong
// condition variable and a stop request that wakes nobody fail on every run.
//
// A channel that ignores close() would leave the threads of some tests blocked forever. Those tests first
// check, without blocking, that close() is visible, and otherwise free their threads and fail at once.
#include <channel.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "conclab/sim_test.hpp"
#include "conclab/start_gate.hpp"
#include "conclab/sync.hpp"

// GCC 12 reports "may be used uninitialized" inside libstdc++'s own std::stop_source constructor when it is
// inlined into a test whose other calls always throw (the starter's stubs do). A false positive in a system
// header, not a problem in your code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace lab {
// Lets GoogleTest print a ChannelStatus by name in failure messages.
inline void PrintTo(ChannelStatus status, std::ostream* os) {
  switch (status) {
    case ChannelStatus::kOk: *os << "kOk"; return;
    case ChannelStatus::kClosed: *os << "kClosed"; return;
    case ChannelStatus::kFull: *os << "kFull"; return;
    case ChannelStatus::kEmpty: *os << "kEmpty"; return;
    case ChannelStatus::kTimeout: *os << "kTimeout"; return;
    case ChannelStatus::kCancelled: *os << "kCancelled"; return;
  }
  *os << "ChannelStatus(" << static_cast<int>(status) << ")";
}
}  // namespace lab

namespace {

constexpr const char* kLesson = " (lesson: modules/01-primitives/09-channels.md)";

using Status = lab::ChannelStatus;
using Clock = lab::Channel<int>::Clock;

// A deadline that has already passed: the call must answer at once.
Clock::time_point Past() { return Clock::now() - std::chrono::seconds(1); }
// A deadline no test reaches: only the test's own action may end the wait.
Clock::time_point FarFuture() { return Clock::now() + std::chrono::hours(1); }

TEST(ChannelTest, DeliversInFifoOrder) {
  lab::Channel<int> ch(8);
  EXPECT_EQ(ch.capacity(), 8u) << "capacity() must return what the constructor was given" << kLesson;
  for (int i = 1; i <= 5; ++i) ch.send(i);
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(ch.receive(), std::optional<int>(i)) << "receive() must return the OLDEST item: first in, first out"
                                                   << kLesson;
  }
  int out = 0;
  EXPECT_EQ(ch.try_receive(out), Status::kEmpty)
      << "an open channel with nothing in it is empty (kEmpty); kClosed would tell the receiver to stop for good"
      << kLesson;
}

TEST(ChannelTest, RejectsZeroCapacity) {
  EXPECT_THROW(lab::Channel<int>(0), std::invalid_argument)
      << "a channel with room for nothing would block every send forever (this channel does not do Go's "
         "unbuffered rendezvous): the constructor must reject capacity 0" << kLesson;
}

TEST(ChannelTest, TrySendReportsFullAtCapacity) {
  lab::Channel<int> ch(2);
  EXPECT_EQ(ch.try_send(1), Status::kOk) << "an empty channel has room" << kLesson;
  EXPECT_EQ(ch.try_send(2), Status::kOk) << "a channel of capacity 2 holding 1 item has room" << kLesson;
  EXPECT_EQ(ch.try_send(3), Status::kFull)
      << "a channel of capacity 2 already holds 2 items, so try_send() must report kFull and add nothing. A "
         "channel that grows past its capacity has no backpressure: a fast producer fills memory" << kLesson;
  EXPECT_EQ(ch.receive(), std::optional<int>(1)) << "receive() must return the oldest item" << kLesson;
  EXPECT_EQ(ch.try_send(3), Status::kOk) << "after a receive there is room again" << kLesson;
  EXPECT_EQ(ch.receive(), std::optional<int>(2)) << "the refused try_send(3) must not have added an item" << kLesson;
  EXPECT_EQ(ch.receive(), std::optional<int>(3)) << "the accepted try_send(3) must have added its item" << kLesson;

  lab::Channel<std::string> names(1);
  ASSERT_EQ(names.try_send(std::string("first")), Status::kOk) << "an empty channel has room" << kLesson;
  std::string keep = "keep me";
  EXPECT_EQ(names.try_send(std::move(keep)), Status::kFull) << "a full channel must refuse the item" << kLesson;
  EXPECT_EQ(keep, "keep me") << "a send that fails must leave the value with the caller (move from it only on "
                                "kOk), so the caller can retry it or put it somewhere else" << kLesson;
}

TEST(ChannelTest, SendWaitsWhileFullAndResumesAfterReceive) {
  lab::Channel<int> ch(1);
  ch.send(1);
  ASSERT_EQ(ch.try_send(99), Status::kFull)
      << "precondition: a channel of capacity 1 holding 1 item is full (see TrySendReportsFullAtCapacity)"
      << kLesson;

  conclab::sync::atomic<bool> sent{false};
  conclab::sync::latch about_to_send(1);
  conclab::sync::jthread sender([&] {
    about_to_send.count_down();
    ch.send(2);
    sent.store(true);
  });
  about_to_send.wait();
  EXPECT_FALSE(sent.load()) << "the channel is full, so send(2) cannot complete before someone receives: it "
                               "must wait for room" << kLesson;
  EXPECT_EQ(ch.receive(), std::optional<int>(1)) << "receive() must return the item that filled the channel"
                                                 << kLesson;
  EXPECT_EQ(ch.receive(), std::optional<int>(2))
      << "the receive made room, so the waiting send(2) must complete and its item arrive next. Does receive "
         "wake a sender that waits for room?" << kLesson;
  sender.join();
  EXPECT_TRUE(sent.load()) << "send(2) must return once its item is in the channel" << kLesson;
}

TEST(ChannelTest, CloseWakesBlockedReceivers) {
  lab::Channel<int> ch(4);
  conclab::sync::stop_source never_stopped;
  conclab::sync::latch about_to_receive(3);
  std::optional<int> plain = -1;  // what receive() returned
  Status until = Status::kOk;     // what receive_until(far future) returned
  Status stoppable = Status::kOk; // what receive(out, stop_token) returned
  {
    std::vector<conclab::sync::jthread> receivers;
    receivers.emplace_back([&] {
      about_to_receive.count_down();
      plain = ch.receive();
    });
    receivers.emplace_back([&] {
      about_to_receive.count_down();
      int out = 0;
      until = ch.receive_until(out, FarFuture());
    });
    receivers.emplace_back([&] {
      about_to_receive.count_down();
      int out = 0;
      stoppable = ch.receive(out, never_stopped.get_token());
    });
    about_to_receive.wait();
    ch.close();

    int probe = 0;
    const Status after_close = ch.try_receive(probe);
    if (after_close != Status::kClosed) {
      // close() changed nothing: the receivers would wait forever. Give each an item so this test fails
      // here instead of hanging.
      for (int i = 0; i < 3; ++i) (void)ch.try_send(-1);
    }
    ASSERT_EQ(after_close, Status::kClosed)
        << "after close(), try_receive() on the empty channel must report kClosed, so receivers know no item "
           "will ever come. Without it a consumer cannot tell \"not yet\" from \"never\" and waits forever"
        << kLesson;
  }  // the receivers are joined here
  EXPECT_EQ(plain, std::nullopt) << "receive() blocked on an empty channel must return std::nullopt when the "
                                    "channel is closed. Does close() wake every waiting receiver (notify_all)?"
                                 << kLesson;
  EXPECT_EQ(until, Status::kClosed) << "receive_until() blocked on an empty channel must return kClosed when the "
                                       "channel is closed, not wait for its deadline" << kLesson;
  EXPECT_EQ(stoppable, Status::kClosed) << "receive(out, stop_token) blocked on an empty channel must return "
                                           "kClosed when the channel is closed" << kLesson;
}

TEST(ChannelTest, CloseWakesBlockedSenders) {
  lab::Channel<int> ch(1);
  ch.send(0);
  ASSERT_EQ(ch.try_send(99), Status::kFull)
      << "precondition: a channel of capacity 1 holding 1 item is full (see TrySendReportsFullAtCapacity)"
      << kLesson;

  conclab::sync::stop_source never_stopped;
  conclab::sync::latch about_to_send(3);
  bool threw = false;                // whether send() threw ChannelClosed
  Status until = Status::kOk;        // what send_until(far future) returned
  Status stoppable = Status::kOk;    // what send(value, stop_token) returned
  {
    std::vector<conclab::sync::jthread> senders;
    senders.emplace_back([&] {
      about_to_send.count_down();
      try {
        ch.send(1);
      } catch (const lab::ChannelClosed&) {
        threw = true;
      }
    });
    senders.emplace_back([&] {
      about_to_send.count_down();
      until = ch.send_until(2, FarFuture());
    });
    senders.emplace_back([&] {
      about_to_send.count_down();
      stoppable = ch.send(3, never_stopped.get_token());
    });
    about_to_send.wait();
    ch.close();
  }  // the senders are joined here
  EXPECT_TRUE(threw) << "send() waiting for room must throw lab::ChannelClosed when the channel is closed: its "
                        "item can never be delivered. Does close() wake the waiting senders too?" << kLesson;
  EXPECT_EQ(until, Status::kClosed) << "send_until() waiting for room must return kClosed when the channel is "
                                       "closed, not wait for its deadline" << kLesson;
  EXPECT_EQ(stoppable, Status::kClosed) << "send(value, stop_token) waiting for room must return kClosed when the "
                                           "channel is closed" << kLesson;
  EXPECT_EQ(ch.receive(), std::optional<int>(0)) << "the item sent before close() must still be delivered"
                                                 << kLesson;
  EXPECT_EQ(ch.receive(), std::nullopt) << "none of the refused sends may have added an item, so after the one "
                                           "item the closed channel is drained" << kLesson;
}

TEST(ChannelTest, ReceiveDrainsItemsThenReportsClosed) {
  lab::Channel<int> ch(4);
  for (int i = 1; i <= 3; ++i) ch.send(i);
  ch.close();

  int out = 0;
  EXPECT_EQ(ch.receive(), std::optional<int>(1))
      << "close() ends the stream, it does not throw away what was sent: receive() must still return the items "
         "sent before close(), in order" << kLesson;
  EXPECT_EQ(ch.try_receive(out), Status::kOk) << "try_receive() must drain a closed channel too" << kLesson;
  EXPECT_EQ(out, 2) << "items come out in the order they were sent" << kLesson;
  EXPECT_EQ(ch.receive_until(out, Past()), Status::kOk)
      << "an item is ready, so receive_until() must return it at once, even with a deadline in the past" << kLesson;
  EXPECT_EQ(out, 3) << "items come out in the order they were sent" << kLesson;

  ASSERT_EQ(ch.try_receive(out), Status::kClosed)
      << "the channel is closed and every item has been received: try_receive() must say kClosed (no item will "
         "ever come), not kEmpty (one may come later)" << kLesson;
  EXPECT_EQ(ch.receive(), std::nullopt) << "receive() on a closed, drained channel must return std::nullopt at "
                                           "once: that is how `while (auto item = ch.receive())` ends" << kLesson;
  EXPECT_EQ(ch.receive_until(out, Past()), Status::kClosed)
      << "receive_until() on a closed, drained channel must report kClosed, which is final, not kTimeout" << kLesson;
  conclab::sync::stop_source never_stopped;
  EXPECT_EQ(ch.receive(out, never_stopped.get_token()), Status::kClosed)
      << "receive(out, stop_token) on a closed, drained channel must report kClosed at once" << kLesson;
}

TEST(ChannelTest, SendOnClosedChannelFails) {
  lab::Channel<int> ch(4);
  ch.close();
  EXPECT_THROW(ch.send(1), lab::ChannelClosed)
      << "sending on a closed channel is a bug in the sender (only the owner closes, after its last send): "
         "send() must throw lab::ChannelClosed" << kLesson;
  EXPECT_EQ(ch.try_send(2), Status::kClosed) << "try_send() on a closed channel must report kClosed, even with "
                                                "room left" << kLesson;
  EXPECT_EQ(ch.send_until(3, FarFuture()), Status::kClosed) << "send_until() on a closed channel must report "
                                                               "kClosed at once" << kLesson;
  conclab::sync::stop_source never_stopped;
  EXPECT_EQ(ch.send(4, never_stopped.get_token()), Status::kClosed)
      << "send(value, stop_token) on a closed channel must report kClosed at once" << kLesson;
  int out = 0;
  EXPECT_EQ(ch.try_receive(out), Status::kClosed) << "the refused sends must not have added items" << kLesson;
}

TEST(ChannelTest, PassedDeadlinesReportTimeout) {
  lab::Channel<int> ch(1);
  int out = 0;
  EXPECT_EQ(ch.receive_until(out, Past()), Status::kTimeout)
      << "the channel is empty and open and the deadline has passed: receive_until() must report kTimeout"
      << kLesson;
  EXPECT_EQ(ch.send_until(1, Past()), Status::kOk)
      << "there is room, so send_until() must send at once, whatever the deadline" << kLesson;
  ASSERT_EQ(ch.send_until(2, Past()), Status::kTimeout)
      << "the channel (capacity 1) is full and the deadline has passed: send_until() must report kTimeout and "
         "add nothing" << kLesson;
  EXPECT_EQ(ch.receive_until(out, Past()), Status::kOk)
      << "an item is ready, so receive_until() must return it, whatever the deadline" << kLesson;
  EXPECT_EQ(out, 1) << "the timed-out send_until(2) must not have added its item" << kLesson;
}

TEST(ChannelTest, ReceiveUntilIsWokenBySend) {
  lab::Channel<int> ch(1);
  conclab::sync::latch about_to_receive(1);
  Status status = Status::kTimeout;
  int got = 0;
  conclab::sync::jthread receiver([&] {
    about_to_receive.count_down();
    status = ch.receive_until(got, FarFuture());
  });
  about_to_receive.wait();
  ch.send(5);
  receiver.join();
  EXPECT_EQ(status, Status::kOk) << "a send must wake a receiver waiting with a deadline" << kLesson;
  EXPECT_EQ(got, 5) << "the waiting receiver must get the item that was sent" << kLesson;
}

TEST(ChannelTest, StopRequestCancelsBlockedReceive) {
  lab::Channel<int> ch(1);
  conclab::sync::stop_source stop;
  conclab::sync::latch about_to_receive(1);
  Status status = Status::kOk;
  conclab::sync::jthread receiver([&] {
    about_to_receive.count_down();
    int out = 0;
    status = ch.receive(out, stop.get_token());
  });
  about_to_receive.wait();
  stop.request_stop();
  receiver.join();
  EXPECT_EQ(status, Status::kCancelled)
      << "request_stop() must wake a receive(out, stop_token) waiting on an empty channel, which then reports "
         "kCancelled. A conclab::sync::condition_variable cannot be woken by a stop request: wait on a "
         "conclab::sync::condition_variable_any with the stop_token overload of wait()" << kLesson;

  ch.send(7);
  int out = 0;
  EXPECT_EQ(ch.receive(out, stop.get_token()), Status::kOk)
      << "an item is ready, so receive() must return it even though stop was requested: an operation that "
         "can complete at once does" << kLesson;
  EXPECT_EQ(out, 7) << "a cancelled receive must leave the channel working" << kLesson;
}

TEST(ChannelTest, StopRequestCancelsBlockedSend) {
  lab::Channel<int> ch(1);
  ch.send(1);
  ASSERT_EQ(ch.try_send(99), Status::kFull)
      << "precondition: a channel of capacity 1 holding 1 item is full (see TrySendReportsFullAtCapacity)"
      << kLesson;

  conclab::sync::stop_source stop;
  conclab::sync::latch about_to_send(1);
  Status status = Status::kOk;
  conclab::sync::jthread sender([&] {
    about_to_send.count_down();
    status = ch.send(2, stop.get_token());
  });
  about_to_send.wait();
  stop.request_stop();
  sender.join();
  EXPECT_EQ(status, Status::kCancelled)
      << "request_stop() must wake a send(value, stop_token) waiting for room, which then reports kCancelled"
      << kLesson;
  EXPECT_EQ(ch.receive(), std::optional<int>(1)) << "the item already in the channel must still be there" << kLesson;
  int out = 0;
  EXPECT_EQ(ch.try_receive(out), Status::kEmpty) << "the cancelled send must not have added its item" << kLesson;
}

TEST(ChannelTest, ManyProducersAndConsumersDeliverEachItemExactlyOnce) {
  {
    lab::Channel<int> probe(1);
    probe.close();
    int out = 0;
    ASSERT_EQ(probe.try_receive(out), Status::kClosed)
        << "this test ends its consumers by closing the channel, but close() has no visible effect (try_receive "
           "on a closed, empty channel is not kClosed), so they would wait forever. Fix "
           "ReceiveDrainsItemsThenReportsClosed first" << kLesson;
  }

  constexpr int kProducers = 4;
  constexpr int kConsumers = 4;
  constexpr int kPerProducer = 2000;
  lab::Channel<int> ch(4);  // small, so senders and receivers both wait often
  std::vector<std::vector<int>> received(kConsumers);
  conclab::StartGate gate(kProducers + kConsumers);
  {
    std::vector<conclab::sync::jthread> consumers;
    for (int c = 0; c < kConsumers; ++c) {
      consumers.emplace_back([&, c] {
        gate.arrive_and_wait();
        while (auto item = ch.receive()) received[static_cast<std::size_t>(c)].push_back(*item);
      });
    }
    {
      std::vector<conclab::sync::jthread> producers;
      for (int p = 0; p < kProducers; ++p) {
        producers.emplace_back([&, p] {
          gate.arrive_and_wait();
          for (int i = 0; i < kPerProducer; ++i) ch.send(p * kPerProducer + i);
        });
      }
      gate.open();
    }  // every producer has finished sending
    ch.close();  // the owner closes, after the last send; the consumers drain what is left and stop
  }

  std::vector<int> seen(kProducers * kPerProducer, 0);
  for (const auto& items : received) {
    std::vector<int> last_from(kProducers, -1);
    for (int item : items) {
      ASSERT_TRUE(item >= 0 && item < kProducers * kPerProducer) << "a consumer received " << item
                                                                 << ", which no producer sent" << kLesson;
      ++seen[static_cast<std::size_t>(item)];
      const int producer = item / kPerProducer;
      EXPECT_GT(item, last_from[static_cast<std::size_t>(producer)])
          << "a consumer received producer " << producer << "'s items out of order: one producer's items must "
          << "come out in the order it sent them (FIFO)" << kLesson;
      last_from[static_cast<std::size_t>(producer)] = item;
    }
  }
  int lost = 0;
  int duplicated = 0;
  for (int count : seen) {
    if (count == 0) ++lost;
    if (count > 1) ++duplicated;
  }
  EXPECT_EQ(lost, 0) << lost << " items were sent but never received: every item sent before close() must be "
                                "delivered (close drains, it does not discard)" << kLesson;
  EXPECT_EQ(duplicated, 0) << duplicated << " items were received more than once: each item must go to exactly "
                                            "one receiver" << kLesson;
}

// ---- Sim tests: every schedule of the threads (conclab/sim; 20 plain runs in the other builds). A latch can only
// say that a thread is *about to* wait; the explorer also tries the schedules where the other side acts after it
// is asleep, which is where a missing or too-narrow notify loses a thread.

CONCLAB_SIM_TEST(ChannelTest, CloseWakesEveryWaitingReceiver) {
  conclab::sim::explain(
      "a receiver waiting on an empty channel never woke up after close(): close() changes the state every waiting "
      "receiver (and sender) must see, so it must wake them all (notify_all on each condition variable they wait "
      "on), not one of them, and not only if it happens to find an item" + std::string(kLesson));
  lab::Channel<int> channel(1);
  {
    conclab::sync::jthread a([&] { EXPECT_EQ(channel.receive(), std::nullopt) << "receive() on a closed, empty channel returns nullopt" << kLesson; });
    conclab::sync::jthread b([&] { EXPECT_EQ(channel.receive(), std::nullopt) << "receive() on a closed, empty channel returns nullopt" << kLesson; });
    channel.close();
  }
}

CONCLAB_SIM_TEST(ChannelTest, EverySentItemReachesAWaitingReceiver) {
  conclab::sim::explain(
      "a receiver stayed asleep although an item was waiting for it: two receivers were waiting and two items "
      "were sent, but only one receiver was woken. A send that wakes one receiver only at the empty->non-empty "
      "transition leaves the second asleep next to the second item: wake every waiting receiver at that "
      "transition, or one per item sent" + std::string(kLesson));
  lab::Channel<int> channel(2);
  conclab::sync::atomic<int> received{0};
  {
    auto receive_one = [&] {
      if (channel.receive()) received.fetch_add(1);
    };
    conclab::sync::jthread a(receive_one);
    conclab::sync::jthread b(receive_one);
    channel.send(1);
    channel.send(2);
  }
  EXPECT_EQ(received.load(), 2) << "two items were sent to two receivers; each must get one" << kLesson;
}

CONCLAB_SIM_TEST(ChannelTest, StopCancelsAWaitingReceive) {
  conclab::sim::explain(
      "receive(out, stop_token) waiting on an empty channel did not return when stop was requested: a stop "
      "request wakes nobody by itself. Checking stop_requested() inside the wait's predicate is not enough; pass "
      "the token to condition_variable_any::wait(lock, token, pred), which registers a callback that wakes the "
      "wait" + std::string(kLesson));
  lab::Channel<int> channel(1);
  Status status = Status::kOk;
  {
    conclab::sync::jthread receiver([&](conclab::sync::stop_token stop) {
      int out = 0;
      status = channel.receive(out, stop);
    });
  }  // ~jthread: request_stop(), then join()
  EXPECT_EQ(status, Status::kCancelled) << "a receive on an empty channel whose stop was requested reports kCancelled"
                                        << kLesson;
}

CONCLAB_SIM_TEST(ChannelTest, CloseWakesAWaitingSender) {
  conclab::sim::explain(
      "a sender waiting for room in a full channel never woke up after close(): close() changes what waiting "
      "senders must do too (their send can never complete: ChannelClosed / kClosed), so it must wake them, on "
      "the condition variable they sleep on (notify_all on every one whose waiters test closed_)" +
      std::string(kLesson));
  lab::Channel<int> channel(1);
  channel.send(1);  // full: the sender below has to wait
  {
    conclab::sync::jthread sender([&] {
      EXPECT_THROW(channel.send(2), lab::ChannelClosed)
          << "send() waiting for room must throw lab::ChannelClosed once the channel is closed" << kLesson;
    });
    channel.close();
  }
  EXPECT_EQ(channel.receive(), std::optional<int>(1)) << "the item sent before close() must still be delivered"
                                                      << kLesson;
}

CONCLAB_SIM_TEST(ChannelTest, ReceiveMakesRoomForAWaitingSender) {
  conclab::sim::explain(
      "a sender waiting for room in a full channel stayed asleep after a receive made room: the receive that "
      "turns \"full\" into \"not full\" must wake the senders (on the condition variable they sleep on). If you "
      "notify only at that transition, decide it from the size BEFORE the item was removed" + std::string(kLesson));
  lab::Channel<int> channel(1);
  channel.send(1);  // full: the sender below has to wait
  {
    conclab::sync::jthread sender([&] { channel.send(2); });
    EXPECT_EQ(channel.receive(), std::optional<int>(1)) << "receive() returns the oldest item" << kLesson;
    EXPECT_EQ(channel.receive(), std::optional<int>(2))
        << "the receive made room, so the waiting send(2) completes and its item arrives next" << kLesson;
  }
}

CONCLAB_SIM_TEST(ChannelTest, ItemsSentBeforeCloseAreStillReceived) {
  lab::Channel<int> channel(2);
  {
    conclab::sync::jthread receiver([&] {
      EXPECT_EQ(channel.receive(), std::optional<int>(1))
          << "an item sent before close() was lost: in the schedule below the receiver came after the close and "
          << "got nullopt although the item was still in the channel. close() ends the stream, it does not discard "
          << "it: receive() reports closed only when the channel is closed AND empty" << kLesson;
      EXPECT_EQ(channel.receive(), std::nullopt) << "after the last item, a closed channel reports nullopt" << kLesson;
    });
    channel.send(1);
    channel.close();  // the owner closes right after its last send, with the item still buffered
  }
}

}  // namespace
