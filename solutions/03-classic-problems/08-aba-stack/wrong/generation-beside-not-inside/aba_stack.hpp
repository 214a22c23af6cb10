// Lab 03.08 aba-stack, WRONG (generation-beside-not-inside): each head has a generation, but in an atomic of its
// own next to the
// index: the exchange compares the index, then the generation is incremented.
//
// Why it looks right: the lesson says "a generation beside the index", and here it is, incremented on every change,
// and every access is atomic. Why it is wrong: two atomics are two places, and the exchange compares only one of
// them. The read of (index, generation) is two loads that another thread can come between, and the exchange asks
// "is the index still A?", exactly naive's question: ABA gets through as before, and the generation changes
// nothing. It must be one word, read in one load and compared in one exchange. The explorer finds both ABA
// schedules every run (StackTest.TwoPopsAndAPushKeepEveryValue, StackTest.TwoPushesAndAPopKeepEveryNode).
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
    free_.index.store(1);
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

  // Takes the top node off the stack whose head is `head` (the stack or the free list); kNone when empty.
  struct Head {
    sync::atomic<std::uint32_t> index{kNone};
    sync::atomic<std::uint32_t> generation{0};  // BUG: beside the index, but not in the word the exchange compares
  };

  std::uint32_t pop_node(Head& head) {
    std::uint32_t generation = head.generation.load();
    std::uint32_t old = head.index.load();
    for (;;) {
      if (old == kNone) return kNone;
      const std::uint32_t next = nodes_[old].next.load();
      if (head.index.compare_exchange_weak(old, next)) {  // compares the index only: ABA
        head.generation.compare_exchange_strong(generation, generation + 1);
        return old;
      }
      generation = head.generation.load();
    }
  }

  void push_node(Head& head, std::uint32_t i) {
    std::uint32_t old = head.index.load();
    for (;;) {
      nodes_[i].next.store(old);
      if (head.index.compare_exchange_weak(old, i)) {
        head.generation.fetch_add(1);
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
  Head head_;                            // the stack
  Head free_;                            // the free list
};

}  // namespace lab
