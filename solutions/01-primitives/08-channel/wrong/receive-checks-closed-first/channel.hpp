// Lab 01.08 channel, WRONG (receive-checks-closed-first): final's channel, but receive() reports "closed" as
// soon as closed_ is set, before it looks for items.
//
// Why it looks right: closed is the stronger news, and "once closed, receive returns nullopt" sounds like
// Go's rule; with a consumer that keeps up, the channel is empty when it is closed and nothing seems lost.
// Why it is wrong: close() ends the stream, it does not discard it. The items sent before close() that are
// still buffered are lost: the owner closes right after its last send, which is exactly when items are still
// in the channel. Receive must drain first and report closed only when closed AND empty. The explorer runs
// the schedule where the receiver comes after the close (ChannelTest.ItemsSentBeforeCloseAreStillReceived);
// ChannelTest.ReceiveDrainsItemsThenReportsClosed fails too, on every run. The fix: `if (size_ == 0) return
// std::nullopt;` after the wait, as the predicate already allows.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "conclab/annotated_mutex.hpp"
#include "conclab/sync.hpp"

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

  explicit Channel(std::size_t capacity) : capacity_(capacity), ring_(capacity) {
    if (capacity == 0) throw std::invalid_argument("lab::Channel: capacity must be at least 1");
  }
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // --- send ---

  void send(T value) {
    conclab::MutexLock lock(mu_);
    wait_for_room([&](auto ready) { not_full_.wait(lock, ready); return true; });
    if (closed_) throw ChannelClosed();
    const bool wake = push(std::move(value));
    lock.unlock();
    wake_receivers(wake);
  }

  template <class U>
    requires std::constructible_from<T, U&&>
  ChannelStatus try_send(U&& value) {
    conclab::MutexLock lock(mu_);
    if (closed_) return ChannelStatus::kClosed;
    if (size_ == capacity_) return ChannelStatus::kFull;
    const bool wake = push(std::forward<U>(value));
    lock.unlock();
    wake_receivers(wake);
    return ChannelStatus::kOk;
  }

  template <class U>
    requires std::constructible_from<T, U&&>
  ChannelStatus send_until(U&& value, Clock::time_point deadline) {
    conclab::MutexLock lock(mu_);
    if (!wait_for_room([&](auto ready) { return not_full_.wait_until(lock, deadline, ready); })) {
      return ChannelStatus::kTimeout;
    }
    if (closed_) return ChannelStatus::kClosed;
    const bool wake = push(std::forward<U>(value));
    lock.unlock();
    wake_receivers(wake);
    return ChannelStatus::kOk;
  }

  template <class U>
    requires std::constructible_from<T, U&&>
  ChannelStatus send(U&& value, sync::stop_token stop) {
    conclab::MutexLock lock(mu_);
    if (!wait_for_room([&](auto ready) { return not_full_.wait(lock, stop, ready); })) {
      return ChannelStatus::kCancelled;
    }
    if (closed_) return ChannelStatus::kClosed;
    const bool wake = push(std::forward<U>(value));
    lock.unlock();
    wake_receivers(wake);
    return ChannelStatus::kOk;
  }

  // --- receive ---

  std::optional<T> receive() {
    conclab::MutexLock lock(mu_);
    wait_for_item([&](auto ready) { not_empty_.wait(lock, ready); return true; });
    if (closed_) return std::nullopt;  // BUG: the items still buffered are lost
    bool wake = false;
    std::optional<T> item(take(wake));
    lock.unlock();
    wake_senders(wake);
    return item;
  }

  ChannelStatus try_receive(T& out) {
    conclab::MutexLock lock(mu_);
    if (closed_) return ChannelStatus::kClosed;  // BUG: before looking for items
    if (size_ == 0) return ChannelStatus::kEmpty;
    bool wake = false;
    out = take(wake);
    lock.unlock();
    wake_senders(wake);
    return ChannelStatus::kOk;
  }

  ChannelStatus receive_until(T& out, Clock::time_point deadline) {
    conclab::MutexLock lock(mu_);
    if (!wait_for_item([&](auto ready) { return not_empty_.wait_until(lock, deadline, ready); })) {
      return ChannelStatus::kTimeout;
    }
    if (closed_) return ChannelStatus::kClosed;  // BUG: the items still buffered are lost
    bool wake = false;
    out = take(wake);
    lock.unlock();
    wake_senders(wake);
    return ChannelStatus::kOk;
  }

  ChannelStatus receive(T& out, sync::stop_token stop) {
    conclab::MutexLock lock(mu_);
    if (!wait_for_item([&](auto ready) { return not_empty_.wait(lock, stop, ready); })) {
      return ChannelStatus::kCancelled;
    }
    if (closed_) return ChannelStatus::kClosed;  // BUG: the items still buffered are lost
    bool wake = false;
    out = take(wake);
    lock.unlock();
    wake_senders(wake);
    return ChannelStatus::kOk;
  }

  // --- close ---

  void close() {
    {
      conclab::MutexLock lock(mu_);
      closed_ = true;
    }
    // Every blocked sender (it must fail) and receiver (it must drain, then see kClosed) has to look.
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  std::size_t capacity() const noexcept { return capacity_; }

 private:
  // Runs `wait(ready)` only if the channel is open and full, counting this thread as a waiting sender while
  // it does. `wait` returns false if it gave up (deadline, stop) with `ready` still false.
  template <class Wait>
  bool wait_for_room(Wait wait) CONCLAB_REQUIRES(mu_) {
    auto ready = [this]() CONCLAB_REQUIRES(mu_) { return closed_ || size_ < capacity_; };
    if (ready()) return true;
    ++waiting_senders_;
    const bool ok = wait(ready);
    --waiting_senders_;
    return ok;
  }

  // The same for a receiver: waits only if the channel is open and empty.
  template <class Wait>
  bool wait_for_item(Wait wait) CONCLAB_REQUIRES(mu_) {
    auto ready = [this]() CONCLAB_REQUIRES(mu_) { return closed_ || size_ > 0; };
    if (ready()) return true;
    ++waiting_receivers_;
    const bool ok = wait(ready);
    --waiting_receivers_;
    return ok;
  }

  // Appends the item (the caller holds mu_). Returns whether waiting receivers must be woken: the caller
  // then unlocks and calls wake_receivers(true).
  template <class U>
  bool push(U&& value) CONCLAB_REQUIRES(mu_) {
    const bool was_empty = size_ == 0;
    ring_[(head_ + size_) % capacity_].emplace(std::forward<U>(value));
    ++size_;
    // Receivers wait only while the channel is empty, so only the send that ends "empty" can release one.
    return was_empty && waiting_receivers_ > 0;
  }

  // Removes and returns the oldest item (the caller holds mu_ and has checked there is one). Sets `wake` if
  // waiting senders must be woken: the caller then unlocks and calls wake_senders(true).
  T take(bool& wake) CONCLAB_REQUIRES(mu_) {
    const bool was_full = size_ == capacity_;
    std::optional<T>& slot = ring_[head_];
    T item = std::move(*slot);
    slot.reset();
    head_ = (head_ + 1) % capacity_;
    --size_;
    // Senders wait only while the channel is full, so only the receive that ends "full" can release one.
    wake = was_full && waiting_senders_ > 0;
    return item;
  }

  // Called after unlocking mu_. notify_all, not notify_one: a woken waiter may time out, be cancelled, or
  // find the item taken by a thread that never waited, and the next transition may be far away. Waking
  // every waiter of the one kind that can use the change leaves nobody asleep next to an item (or a free
  // slot) they could take.
  void wake_receivers(bool wake) {
    if (wake) not_empty_.notify_all();
  }
  void wake_senders(bool wake) {
    if (wake) not_full_.notify_all();
  }

  const std::size_t capacity_;

  conclab::Mutex mu_;
  sync::condition_variable_any not_full_;   // senders wait here for room or close
  sync::condition_variable_any not_empty_;  // receivers wait here for an item or close
  std::vector<std::optional<T>> ring_ CONCLAB_GUARDED_BY(mu_);  // capacity_ slots; items at head_.. head_+size_-1
  std::size_t head_ CONCLAB_GUARDED_BY(mu_) = 0;                // index of the oldest item
  std::size_t size_ CONCLAB_GUARDED_BY(mu_) = 0;                // number of items, 0..capacity_
  int waiting_senders_ CONCLAB_GUARDED_BY(mu_) = 0;             // threads inside not_full_.wait*
  int waiting_receivers_ CONCLAB_GUARDED_BY(mu_) = 0;           // threads inside not_empty_.wait*
  bool closed_ CONCLAB_GUARDED_BY(mu_) = false;                 // never goes back to false
};

}  // namespace lab
