// improved: a bounded, closable channel on one mutex and one std::condition_variable_any.
//
// Changed from naive:
//   - Bounded. send() waits while the channel holds capacity() items, so a producer that outruns its
//     consumers is slowed down to their pace (backpressure) instead of growing the queue until memory runs
//     out. try_send() reports kFull instead of waiting.
//   - Closable. close() marks the end of the stream and wakes every waiter. Receivers first drain what is
//     left, then learn "closed" (receive() returns std::nullopt), so a consumer loop
//     `while (auto item = ch.receive())` ends by itself. Sending on a closed channel is the sender's bug:
//     send() throws ChannelClosed, the status-returning sends report kClosed.
//   - Every wait re-checks "closed" as well as "has an item / has room", so a waiter blocked before close()
//     wakes up, sees it, and returns.
// One condition variable serves both senders and receivers, so every change must notify_all(): a
// notify_one() could wake a thread of the wrong kind, which goes back to sleep, and the right one is never
// woken. It is condition_variable_any because only that type has the wait overload that takes a
// std::stop_token (std::condition_variable cannot be woken by a stop request). final splits it in two.
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
//   - The channel must outlive every call in progress on it (a call may notify after unlocking).
template <class T>
class Channel {
 public:
  using Clock = sync::steady_clock;

  explicit Channel(std::size_t capacity) : capacity_(capacity) {
    if (capacity == 0) throw std::invalid_argument("lab::Channel: capacity must be at least 1");
  }
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // --- send ---

  void send(T value) {
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return closed_ || has_room(); });
    if (closed_) throw ChannelClosed();
    push(lock, std::move(value));
  }

  template <class U>
    requires std::constructible_from<T, U&&>
  ChannelStatus try_send(U&& value) {
    sync::unique_lock lock(mu_);
    if (closed_) return ChannelStatus::kClosed;
    if (!has_room()) return ChannelStatus::kFull;
    push(lock, std::forward<U>(value));
    return ChannelStatus::kOk;
  }

  template <class U>
    requires std::constructible_from<T, U&&>
  ChannelStatus send_until(U&& value, Clock::time_point deadline) {
    sync::unique_lock lock(mu_);
    if (!cv_.wait_until(lock, deadline, [&] { return closed_ || has_room(); })) return ChannelStatus::kTimeout;
    if (closed_) return ChannelStatus::kClosed;
    push(lock, std::forward<U>(value));
    return ChannelStatus::kOk;
  }

  template <class U>
    requires std::constructible_from<T, U&&>
  ChannelStatus send(U&& value, sync::stop_token stop) {
    sync::unique_lock lock(mu_);
    if (!cv_.wait(lock, stop, [&] { return closed_ || has_room(); })) return ChannelStatus::kCancelled;
    if (closed_) return ChannelStatus::kClosed;
    push(lock, std::forward<U>(value));
    return ChannelStatus::kOk;
  }

  // --- receive ---

  std::optional<T> receive() {
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;  // closed and drained
    return take(lock);
  }

  ChannelStatus try_receive(T& out) {
    sync::unique_lock lock(mu_);
    if (items_.empty()) return closed_ ? ChannelStatus::kClosed : ChannelStatus::kEmpty;
    out = take(lock);
    return ChannelStatus::kOk;
  }

  ChannelStatus receive_until(T& out, Clock::time_point deadline) {
    sync::unique_lock lock(mu_);
    if (!cv_.wait_until(lock, deadline, [&] { return closed_ || !items_.empty(); })) return ChannelStatus::kTimeout;
    if (items_.empty()) return ChannelStatus::kClosed;
    out = take(lock);
    return ChannelStatus::kOk;
  }

  ChannelStatus receive(T& out, sync::stop_token stop) {
    sync::unique_lock lock(mu_);
    if (!cv_.wait(lock, stop, [&] { return closed_ || !items_.empty(); })) return ChannelStatus::kCancelled;
    if (items_.empty()) return ChannelStatus::kClosed;
    out = take(lock);
    return ChannelStatus::kOk;
  }

  // --- close ---

  void close() {
    {
      sync::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();  // every blocked sender and receiver must see it
  }

  std::size_t capacity() const noexcept { return capacity_; }

 private:
  bool has_room() const { return items_.size() < capacity_; }  // caller holds mu_

  // Appends under `lock`, then unlocks and wakes everyone: a waiting receiver can now take an item.
  template <class U>
  void push(sync::unique_lock<sync::mutex>& lock, U&& value) {
    items_.emplace_back(std::forward<U>(value));
    lock.unlock();
    cv_.notify_all();
  }

  // Removes the oldest item under `lock`, then unlocks and wakes everyone: a waiting sender now has room.
  T take(sync::unique_lock<sync::mutex>& lock) {
    T item = std::move(items_.front());
    items_.pop_front();
    lock.unlock();
    cv_.notify_all();
    return item;
  }

  const std::size_t capacity_;

  sync::mutex mu_;
  sync::condition_variable_any cv_;  // senders wait for room or close, receivers for an item or close
  std::deque<T> items_;             // guarded by mu_; never more than capacity_ items
  bool closed_ = false;             // guarded by mu_; never goes back to false
};

}  // namespace lab
