// Lab 01.08: a Go-style channel (lesson: modules/01-primitives/09-channels.md).
//
// Build Channel<T>: a bounded FIFO that senders and receivers share, which its owner closes when no more
// items will come. Every operation is stubbed out and throws; each change point is marked TODO(lab).
// Suggested order: send/receive with a bound, then close, then try_*, *_until and the stop_token overloads.
// sync:: is conclab::sync (conclab/sync.hpp): std's primitives under the course's names (sync::mutex is
// std::mutex, sync::condition_variable_any is std::condition_variable_any, sync::steady_clock is
// std::chrono::steady_clock). In the sim build they are instrumented, and the explorer runs the sim tests on
// every schedule of the senders and receivers.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <deque>
#include <optional>
#include <stdexcept>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Thrown by send(value) on a closed channel: only the owner closes, and only after its last send.
class ChannelClosed : public std::logic_error {
 public:
  ChannelClosed() : std::logic_error("send on a closed lab::Channel") {}
};

// What a non-throwing channel operation did.
enum class ChannelStatus {
  kOk,         // the item was sent / received
  kClosed,     // send: the channel is closed; receive: closed and every item has been received
  kFull,       // try_send: no room right now
  kEmpty,      // try_receive: no item right now (and not closed)
  kTimeout,    // *_until: the deadline passed first
  kCancelled,  // stop_token overloads: stop was requested first
};

// Channel<T>: a bounded FIFO that any number of senders and receivers share, in the style of a Go channel.
//
// Contract:
//   - Every method may be called from any thread, concurrently. The owner (the side that sends, or the one
//     thread that knows when all senders are done) calls close(), after the last send.
//   - Sends: send(v) waits for room, throws ChannelClosed if the channel is or becomes closed. try_send,
//     send_until and send(v, stop) return a ChannelStatus; they move from v only when they return kOk.
//     A closed channel refuses every send, even with room left.
//   - Receives: receive() waits for an item and returns it, or std::nullopt once the channel is closed and
//     empty. try_receive, receive_until and receive(out, stop) return a ChannelStatus and assign `out` only
//     on kOk. Items sent before close() are still delivered after it (drain, then kClosed).
//   - An operation that can complete at once does, whatever its deadline or stop token say.
//   - Items are delivered in the order their sends completed, each to exactly one receiver.
//   - Happens-before: everything a sender did before sending x is visible to the receiver that gets x.
//   - The channel must outlive every call in progress on it.
template <class T>
class Channel {
 public:
  using Clock = sync::steady_clock;

  explicit Channel(std::size_t capacity) : capacity_(capacity) {
    // TODO(lab): reject capacity 0 with std::invalid_argument (a channel with no room blocks every send).
  }
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // --- send ---

  void send([[maybe_unused]] T value) {
    // TODO(lab): wait while the channel is full and open; on a closed channel throw ChannelClosed; else
    //            append the item and wake a receiver that may be waiting for one.
    throw std::logic_error("Channel::send is not implemented yet (see the TODO(lab) in channel.hpp)");
  }

  template <class U>
    requires std::constructible_from<T, U&&>
  ChannelStatus try_send([[maybe_unused]] U&& value) {
    // TODO(lab): never wait: kClosed if closed, kFull if full, else append (std::forward<U>(value)) and kOk.
    throw std::logic_error("Channel::try_send is not implemented yet (see the TODO(lab) in channel.hpp)");
  }

  template <class U>
    requires std::constructible_from<T, U&&>
  ChannelStatus send_until([[maybe_unused]] U&& value, [[maybe_unused]] Clock::time_point deadline) {
    // TODO(lab): like send(), but give up with kTimeout once `deadline` has passed (condition variables have
    //            wait_until), and report kClosed instead of throwing.
    throw std::logic_error("Channel::send_until is not implemented yet (see the TODO(lab) in channel.hpp)");
  }

  template <class U>
    requires std::constructible_from<T, U&&>
  ChannelStatus send([[maybe_unused]] U&& value, [[maybe_unused]] sync::stop_token stop) {
    // TODO(lab): like send(), but give up with kCancelled when stop is requested, and report kClosed instead
    //            of throwing. Only std::condition_variable_any can be woken by a stop request.
    throw std::logic_error("Channel::send(value, stop) is not implemented yet (see the TODO(lab) in channel.hpp)");
  }

  // --- receive ---

  std::optional<T> receive() {
    // TODO(lab): wait while the channel is empty and open; return the oldest item, or std::nullopt once it
    //            is closed and empty. Wake a sender that may be waiting for room.
    throw std::logic_error("Channel::receive is not implemented yet (see the TODO(lab) in channel.hpp)");
  }

  ChannelStatus try_receive([[maybe_unused]] T& out) {
    // TODO(lab): never wait: kOk with the oldest item in `out`; otherwise kClosed if closed, else kEmpty.
    throw std::logic_error("Channel::try_receive is not implemented yet (see the TODO(lab) in channel.hpp)");
  }

  ChannelStatus receive_until([[maybe_unused]] T& out, [[maybe_unused]] Clock::time_point deadline) {
    // TODO(lab): like receive(), but give up with kTimeout once `deadline` has passed.
    throw std::logic_error("Channel::receive_until is not implemented yet (see the TODO(lab) in channel.hpp)");
  }

  ChannelStatus receive([[maybe_unused]] T& out, [[maybe_unused]] sync::stop_token stop) {
    // TODO(lab): like receive(), but give up with kCancelled when stop is requested.
    throw std::logic_error("Channel::receive(out, stop) is not implemented yet (see the TODO(lab) in channel.hpp)");
  }

  // --- close ---

  void close() {
    // TODO(lab): mark the channel closed (for good) and wake EVERY waiting sender and receiver: each must
    //            re-check and see it.
    throw std::logic_error("Channel::close is not implemented yet (see the TODO(lab) in channel.hpp)");
  }

  std::size_t capacity() const noexcept { return capacity_; }

 private:
  const std::size_t capacity_;

  // TODO(lab): the shared state: a mutex, the items (never more than capacity_), whether the channel is
  //            closed, and the condition variable(s) senders and receivers wait on.
};

}  // namespace lab
