// Lab 03.08 aba-stack, IMPROVED: each head (the stack's and the free list's) is one 64-bit word, the top node's
// index plus a generation that every successful compare-exchange increments. All operations seq_cst.
//
// What changed from naive, and why: naive compared the bare index, so its compare-exchange asked "is node A still
// on top?" when the question that matters is "has the head changed since I read it?". Between pop's read of
// the head (A, with next B) and its exchange, other threads can pop A, reuse node A for a new push, and put it
// back on top with a different next: the head says A again, the exchange succeeds, and installs a stale next
// (ABA: lesson "The four steps"). With a generation beside the index the word is (A, g) when we read it and
// (A, g + 2) or more after anyone popped and pushed, so the exchange fails and we retry with the fresh head.
// The free list is a Treiber stack too, with the same ABA (a push takes a node off it exactly as pop takes one
// off the stack), so it gets the same treatment: both go through pop_node / push_node.
//
// Two more things naive already had right and this keeps: the node's next is a sync::atomic (pop reads it while
// a push of the same, reused node may write it), and pop reads the value only after its exchange succeeded.
//
// The cost it leaves for final: seq_cst on every operation, where one release/acquire pair is all the
// algorithm needs (final names each pair).
//
// Lesson: modules/03-classic-problems/08-aba.md ("The fix: a generation beside the index").
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
    for (std::uint32_t i = 1; i <= capacity; ++i) nodes_[i].next.store(i < capacity ? i + 1 : kNone);
    free_.store(pack(1, 0));
    head_.store(pack(kNone, 0));
  }
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  std::uint32_t capacity() const noexcept { return capacity_; }

  bool push(int value) {
    const std::uint32_t i = pop_node(free_);
    if (i == kNone) return false;  // every node is on the stack (or on its way there)
    nodes_[i].value = value;       // ours alone until push_node's exchange publishes it
    push_node(head_, i);
    return true;
  }

  std::optional<int> pop() {
    const std::uint32_t i = pop_node(head_);
    if (i == kNone) return std::nullopt;
    const int value = nodes_[i].value;  // ours alone: we took it off
    push_node(free_, i);
    return value;
  }

 private:
  static constexpr std::uint32_t kNone = 0;
  static constexpr std::uint32_t kMaxCapacity = 1U << 24;  // a pool, not a heap: 16 M nodes is plenty

  static std::uint32_t checked(std::uint32_t capacity) {
    if (capacity == 0 || capacity > kMaxCapacity) throw std::invalid_argument("Stack: capacity must be 1 .. 2^24");
    return capacity;
  }

  // A head is one 64-bit word: the top node's index in the low half, a generation in the high half.
  static std::uint64_t pack(std::uint32_t index, std::uint32_t generation) {
    return (std::uint64_t{generation} << 32) | index;
  }
  static std::uint32_t index_of(std::uint64_t head) { return static_cast<std::uint32_t>(head); }
  static std::uint32_t generation_of(std::uint64_t head) { return static_cast<std::uint32_t>(head >> 32); }

  // Takes the top node off the stack whose head is `head` (the stack or the free list); kNone when empty.
  std::uint32_t pop_node(sync::atomic<std::uint64_t>& head) {
    std::uint64_t old = head.load();
    for (;;) {
      const std::uint32_t i = index_of(old);
      if (i == kNone) return kNone;
      const std::uint32_t next = nodes_[i].next.load();
      // Succeeds only if the head is still the very word we read: same index AND same generation.
      // On failure `old` is reloaded with the current head, and we try again from there.
      if (head.compare_exchange_weak(old, pack(next, generation_of(old) + 1))) return i;
    }
  }

  // Puts node i (ours alone: just taken off the other stack) on top of the stack whose head is `head`.
  void push_node(sync::atomic<std::uint64_t>& head, std::uint32_t i) {
    std::uint64_t old = head.load();
    for (;;) {
      nodes_[i].next.store(index_of(old));
      if (head.compare_exchange_weak(old, pack(i, generation_of(old) + 1))) return;
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
};

}  // namespace lab
