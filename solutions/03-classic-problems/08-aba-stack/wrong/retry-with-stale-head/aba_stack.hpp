// Lab 03.08 aba-stack, WRONG (retry-with-stale-head): pop_node's loop hands the exchange a copy of the head it
// read first, so
// the head that a failed exchange loads is thrown away, and the loop retries with the old one forever.
//
// Why it looks right: "compare_exchange_weak overwrites its first argument, and I want to keep `old` intact for
// the next round", so each round copies `old` into `expected`. On one thread it never fails (a spurious failure
// just retries with the same, still current head). Why it is wrong: once another thread changes the head, `old`
// is stale for good, so every later exchange compares against a value the head will never hold again: the loop
// spins forever (a livelock: the thread is busy and gets nowhere). The explorer reports it as a thread that never
// ends (StackTest.TwoPopsAndAPushKeepEveryValue, TwoPushesAndAPopKeepEveryNode, PopRacesAPush); on real threads
// the stress test's watchdog does. The fix: pass `old` itself; on failure the exchange stores the current head
// in it, and the next round starts from there.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::atomic is std::atomic), instrumented in the sim build

// Stack: a lock-free LIFO stack of ints with room for `capacity` values at once (a fixed pool of nodes).
// push() and pop() may be called from any number of threads at once, and neither ever blocks or allocates.
// push(v) returns false when all `capacity` nodes are in use; pop() returns std::nullopt when the stack is
// empty. Every pushed value is popped at most once, and none is lost. A value pushed by one thread
// happens-before the pop that returns it. Nodes are addressed by a 32-bit index, 0 meaning "none"; popped
// nodes go back to a free list, which is a lock-free stack too.
class Stack {
 public:
  explicit Stack(std::uint32_t capacity)
      : capacity_(checked(capacity)), nodes_(std::make_unique<Node[]>(capacity + 1)) {
    // Nodes 1 .. capacity all start on the free list, in order (node 0 is never used: index 0 means "none").
    // No other thread can see the stack yet, so the order of these stores does not matter: relaxed.
    for (std::uint32_t i = 1; i <= capacity; ++i)
      nodes_[i].next.store(i < capacity ? i + 1 : kNone, std::memory_order_relaxed);
    free_.store(pack(1, 0), std::memory_order_relaxed);
    head_.store(pack(kNone, 0), std::memory_order_relaxed);
  }
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  std::uint32_t capacity() const noexcept { return capacity_; }

  bool push(int value) {
    const std::uint32_t i = pop_node(free_);
    if (i == kNone) return false;  // every node is on the stack (or on its way there)
    nodes_[i].value = value;       // ours alone until push_node's release exchange publishes it
    push_node(head_, i);
    return true;
  }

  std::optional<int> pop() {
    const std::uint32_t i = pop_node(head_);
    if (i == kNone) return std::nullopt;
    const int value = nodes_[i].value;  // ours alone: we took it off; the pusher's write happens-before this read
    push_node(free_, i);                // the release publishes our read too: the next owner's write comes after it
    return value;
  }

 private:
  static constexpr std::uint32_t kNone = 0;
  static constexpr std::uint32_t kMaxCapacity = 1U << 24;  // a pool, not a heap: 16 M nodes is plenty

  static std::uint32_t checked(std::uint32_t capacity) {
    if (capacity == 0 || capacity > kMaxCapacity) throw std::invalid_argument("Stack: capacity must be 1 .. 2^24");
    return capacity;
  }

  // A head is one 64-bit word: the top node's index in the low half, a generation in the high half. Every
  // successful exchange adds one to the generation, so a head never holds the same word twice (until 2^32
  // changes happen while one thread sits between its load and its exchange: the lesson does that arithmetic).
  static std::uint64_t pack(std::uint32_t index, std::uint32_t generation) {
    return (std::uint64_t{generation} << 32) | index;
  }
  static std::uint32_t index_of(std::uint64_t head) { return static_cast<std::uint32_t>(head); }
  static std::uint32_t generation_of(std::uint64_t head) { return static_cast<std::uint32_t>(head >> 32); }

  // Takes the top node off the stack whose head is `head` (the stack or the free list); kNone when empty.
  std::uint32_t pop_node(sync::atomic<std::uint64_t>& head) {
    // acquire: pairs with the release exchange in push_node that put this head there (or one before it: every
    // later change of a head is a read-modify-write, so it continues that release sequence). We follow the
    // index to the node's next field, and later to its value: both were written before that release.
    std::uint64_t old = head.load(std::memory_order_acquire);
    for (;;) {
      const std::uint32_t i = index_of(old);
      if (i == kNone) return kNone;
      // relaxed: pairs with the relaxed store in push_node, ordered for us by the acquire read of `old`. It must
      // be atomic: if another thread popped i since we read `old`, i may be being pushed again right now.
      const std::uint32_t next = nodes_[i].next.load(std::memory_order_relaxed);
      // success relaxed: it succeeds only on the word our acquire read of `old` saw (generations never repeat),
      // so the pusher's writes are already ours. failure acquire: `old` is refreshed, and we follow it next.
      std::uint64_t expected = old;  // BUG: the exchange reloads `expected`, and this loop never looks at it
      if (head.compare_exchange_weak(expected, pack(next, generation_of(old) + 1), std::memory_order_relaxed,
                                     std::memory_order_acquire)) {
        return i;
      }
    }
  }

  // Puts node i (ours alone: just taken off the other stack) on top of the stack whose head is `head`.
  void push_node(sync::atomic<std::uint64_t>& head, std::uint32_t i) {
    // relaxed: pairs with nothing. We only copy this head's index into our node's next; we never follow it.
    std::uint64_t old = head.load(std::memory_order_relaxed);
    for (;;) {
      // relaxed: pairs with the relaxed next load in pop_node, ordered by the release exchange below.
      nodes_[i].next.store(index_of(old), std::memory_order_relaxed);
      // success release: pairs with pop_node's acquire load and acquire failure reload: publishes the node's
      // next and value (and, on the free list, the last owner's read of the value). failure relaxed: see above.
      if (head.compare_exchange_weak(old, pack(i, generation_of(old) + 1), std::memory_order_release,
                                     std::memory_order_relaxed)) {
        return;
      }
    }
  }

  struct Node {
    sync::atomic<std::uint32_t> next{kNone};  // read by pop_node while a push may write it: atomic
    int value = 0;                            // written only by the node's owner (see push and pop)
  };

  const std::uint32_t capacity_;
  const std::unique_ptr<Node[]> nodes_;  // nodes_[1] .. nodes_[capacity_]; nodes_[0] is never used
  sync::atomic<std::uint64_t> head_;     // the stack: top index + generation
  sync::atomic<std::uint64_t> free_;     // the free list: top index + generation
  static_assert(sync::atomic<std::uint64_t>::is_always_lock_free, "a head must be one lock-free 64-bit word");
};

}  // namespace lab
