// Lab 03.08 aba-stack, NAIVE: a Treiber stack (R. K. Treiber, "Systems Programming: Coping with Parallelism",
// IBM Almaden RJ 5118, 1986) over a pool of nodes, with each head (the stack's and the free list's) a bare
// 32-bit node index, compare-exchanged in a retry loop.
//
// The mistake people really make, and why it looks right: pop reads the head (node A), reads A's next (B), and
// compare-exchanges the head from A to B. If another thread changed the head in between, the exchange fails
// and we retry: that looks airtight, and every single step is atomic and seq_cst, so ThreadSanitizer has
// nothing to report. But the exchange asks "is A on top?", and the question that matters is "is the stack the
// one I read?". Nodes are reused: between our read and our exchange, other threads can pop A (A goes to the
// free list, and its next field now links the free list), push a value into node A again (it is the free
// list's top), and A is on top of the stack once more. The exchange sees A and succeeds, installing a next that
// was read from a node in another life: a node that is free, or nothing at all, and the values below A are
// lost (ABA: lesson "The four steps"). The free list, a Treiber stack too, has the same hole. The explorer
// finds both schedules on every run (StackTest.TwoPopsAndAPushKeepEveryValue,
// StackTest.TwoPushesAndAPopKeepEveryNode); a stress test on real threads hits them only now and then.
//
// Lesson: modules/03-classic-problems/08-aba.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::atomic is std::atomic), instrumented in the sim build

// Stack: meant to be a lock-free LIFO stack of ints over a pool of `capacity` nodes; ABA breaks it (above).
class Stack {
 public:
  explicit Stack(std::uint32_t capacity)
      : capacity_(checked(capacity)), nodes_(std::make_unique<Node[]>(capacity + 1)) {
    for (std::uint32_t i = 1; i <= capacity; ++i) nodes_[i].next.store(i < capacity ? i + 1 : kNone);
    free_.store(1);
    head_.store(kNone);
  }
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  std::uint32_t capacity() const noexcept { return capacity_; }

  bool push(int value) {
    const std::uint32_t i = pop_node(free_);
    if (i == kNone) return false;
    nodes_[i].value = value;
    push_node(head_, i);
    return true;
  }

  std::optional<int> pop() {
    const std::uint32_t i = pop_node(head_);
    if (i == kNone) return std::nullopt;
    const int value = nodes_[i].value;
    push_node(free_, i);
    return value;
  }

 private:
  static constexpr std::uint32_t kNone = 0;
  static constexpr std::uint32_t kMaxCapacity = 1U << 24;

  static std::uint32_t checked(std::uint32_t capacity) {
    if (capacity == 0 || capacity > kMaxCapacity) throw std::invalid_argument("Stack: capacity must be 1 .. 2^24");
    return capacity;
  }

  std::uint32_t pop_node(sync::atomic<std::uint32_t>& head) {
    std::uint32_t old = head.load();
    for (;;) {
      if (old == kNone) return kNone;
      const std::uint32_t next = nodes_[old].next.load();
      if (head.compare_exchange_weak(old, next)) return old;  // BUG: "A is on top" is not "nothing changed"
    }
  }

  void push_node(sync::atomic<std::uint32_t>& head, std::uint32_t i) {
    std::uint32_t old = head.load();
    for (;;) {
      nodes_[i].next.store(old);
      if (head.compare_exchange_weak(old, i)) return;
    }
  }

  struct Node {
    sync::atomic<std::uint32_t> next{kNone};
    int value = 0;
  };

  const std::uint32_t capacity_;
  const std::unique_ptr<Node[]> nodes_;  // nodes_[1] .. nodes_[capacity_]; nodes_[0] is never used
  sync::atomic<std::uint32_t> head_;     // the stack's top index: nothing else
  sync::atomic<std::uint32_t> free_;     // the free list's top index: nothing else
};

}  // namespace lab
