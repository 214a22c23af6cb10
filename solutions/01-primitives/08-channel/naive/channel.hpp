// naive: a "channel" that is really an unbounded blocking queue, with no way to close it.
//
// The version people write first: a mutex, a std::deque and a condition variable, and receive() waits
// while the deque is empty. It delivers items in order, exactly once, and it looks finished. Its two
// missing pieces only show when the program has to stop, or is under load:
//   - No close. close() does nothing, because nothing in the design can say "no more items". A receiver
//     cannot tell "not yet" from "never": when the producers are done, consumers blocked in receive() wait
//     forever, and receive_until()/receive(out, stop) report a timeout or a cancellation, never kClosed.
//     The usual workarounds (a sentinel value per consumer, a separate done flag) are close() done badly.
//     Sending "after close" is not an error either, because there is no close.
//   - No bound. capacity is ignored: send() never waits and try_send() is never kFull. A producer that is
//     faster than its consumers grows the deque without limit, which under sustained load is a memory leak
//     that ends in the OOM killer, and the latency of every queued item grows with it.
// improved adds both.
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

// Thrown by send(value) on a closed channel (which the naive channel never is).
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

// Channel<T>: the same interface as improved; the contract it breaks is described above.
template <class T>
class Channel {
 public:
  using Clock = sync::steady_clock;

  explicit Channel(std::size_t capacity) : capacity_(capacity) {}  // capacity is ignored: unbounded
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  void send(T value) { push(std::move(value)); }  // never waits, never throws

  template <class U>
    requires std::constructible_from<T, U&&>
  ChannelStatus try_send(U&& value) {
    push(std::forward<U>(value));
    return ChannelStatus::kOk;
  }

  template <class U>
    requires std::constructible_from<T, U&&>
  ChannelStatus send_until(U&& value, Clock::time_point /*deadline*/) {
    push(std::forward<U>(value));
    return ChannelStatus::kOk;
  }

  template <class U>
    requires std::constructible_from<T, U&&>
  ChannelStatus send(U&& value, sync::stop_token /*stop*/) {
    push(std::forward<U>(value));
    return ChannelStatus::kOk;
  }

  std::optional<T> receive() {
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !items_.empty(); });  // "not yet" and "never" look the same: waits forever
    return take();
  }

  ChannelStatus try_receive(T& out) {
    sync::lock_guard lock(mu_);
    if (items_.empty()) return ChannelStatus::kEmpty;
    out = take();
    return ChannelStatus::kOk;
  }

  ChannelStatus receive_until(T& out, Clock::time_point deadline) {
    sync::unique_lock lock(mu_);
    if (!cv_.wait_until(lock, deadline, [&] { return !items_.empty(); })) return ChannelStatus::kTimeout;
    out = take();
    return ChannelStatus::kOk;
  }

  ChannelStatus receive(T& out, sync::stop_token stop) {
    sync::unique_lock lock(mu_);
    if (!cv_.wait(lock, stop, [&] { return !items_.empty(); })) return ChannelStatus::kCancelled;
    out = take();
    return ChannelStatus::kOk;
  }

  void close() {}  // nothing can express "no more items"

  std::size_t capacity() const noexcept { return capacity_; }

 private:
  template <class U>
  void push(U&& value) {
    {
      sync::lock_guard lock(mu_);
      items_.emplace_back(std::forward<U>(value));
    }
    cv_.notify_one();
  }

  T take() {  // caller holds mu_ and has checked that there is an item
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

  const std::size_t capacity_;

  sync::mutex mu_;
  sync::condition_variable_any cv_;  // receivers wait for an item
  std::deque<T> items_;             // guarded by mu_; grows without limit
};

}  // namespace lab
