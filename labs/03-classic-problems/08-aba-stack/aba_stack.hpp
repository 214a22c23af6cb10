// Lab 03.08: a lock-free stack over a fixed pool of nodes, and the ABA problem.
// Lesson: modules/03-classic-problems/08-aba.md.   Check: ./conclab check 03.08   Be the scheduler: ./conclab play
// 03.08
//
// Make lab::Stack a lock-free LIFO stack of ints with room for `capacity` values:
//
//   - push(v) puts v on top and returns true, or returns false when all `capacity` nodes are in use;
//   - pop() takes the top value off and returns it, or returns std::nullopt when the stack is empty;
//   - any number of threads may call both at once; neither blocks (no mutex) nor allocates;
//   - every value pushed comes out exactly once (a pop, or still on the stack), and every node of the pool is
//     either on the stack, on the free list, or held by the one push/pop that is moving it: never lost, never on
//     both lists.
//
// The layout is given: nodes_[1] .. nodes_[capacity] (index 0 means "no node"), each with a `next` index and a
// value. Two lock-free stacks of nodes share it: the stack itself (head_) and the free list (free_) that push()
// takes a node from and pop() gives it back to. Both are Treiber stacks: read the head, compute the new head,
// compare-exchange, retry on failure. Write pop_node() and push_node() once and use them for both.
//
// The trap this lab is about: a compare-exchange on the bare index asks "is node A still on top?", and between
// your read and your exchange other threads can pop A and push into node A again. The tests' explorer finds that
// schedule (ABA) on every run: read the lesson's "The four steps" when it does, then give each head a generation.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp): sync::atomic is
// std::atomic, instrumented in the sim build so the explorer can try every schedule of your threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Stack {
 public:
  explicit Stack(std::uint32_t capacity)
      : capacity_(checked(capacity)), nodes_(std::make_unique<Node[]>(capacity + 1)) {
    // Nodes 1 .. capacity all start on the free list, in order; no thread can see the stack yet.
    for (std::uint32_t i = 1; i <= capacity; ++i) nodes_[i].next.store(i < capacity ? i + 1 : kNone);
    // TODO(lab): if you change what a head holds (and you will: see the trap above), change these two as well.
    free_.store(1);
    head_.store(kNone);
  }
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  std::uint32_t capacity() const noexcept { return capacity_; }

  bool push(int value) {
    // TODO(lab): take a node off the free list (pop_node(free_)); none left means the pool is full: return false.
    // Write the value into the node BEFORE the node is on the stack (after that another thread may pop it), then
    // put it on the stack (push_node(head_, i)).
    (void)value;
    return false;
  }

  std::optional<int> pop() {
    // TODO(lab): take the top node off the stack (pop_node(head_)); none means empty. Read its value only now
    // that the node is yours alone, then give the node back to the free list (push_node(free_, i)).
    return std::nullopt;
  }

 private:
  static constexpr std::uint32_t kNone = 0;
  static constexpr std::uint32_t kMaxCapacity = 1U << 24;

  static std::uint32_t checked(std::uint32_t capacity) {
    if (capacity == 0 || capacity > kMaxCapacity) throw std::invalid_argument("Stack: capacity must be 1 .. 2^24");
    return capacity;
  }

  // Takes the top node off the stack whose head is `head`; returns its index, or kNone when that stack is empty.
  std::uint32_t pop_node(sync::atomic<std::uint32_t>& head) {
    // TODO(lab): a compare-exchange loop: read the head; if it is kNone return kNone; read that node's next;
    // compare-exchange the head from the node to its next; on failure the exchange has reloaded your copy of the
    // head: go round again with it. Then ask what happens if, between your read and your exchange, other threads
    // pop this node and push into it again (the lesson's four steps), and make the exchange fail in that case.
    (void)head;
    return kNone;
  }

  // Puts node i, which this thread alone holds, on top of the stack whose head is `head`.
  void push_node(sync::atomic<std::uint32_t>& head, std::uint32_t i) {
    // TODO(lab): a compare-exchange loop: read the head, set node i's next to it, compare-exchange the head from
    // what you read to i; on failure go round with the reloaded head.
    (void)head;
    (void)i;
  }

  struct Node {
    sync::atomic<std::uint32_t> next{kNone};  // atomic: pop_node may read it while another thread's push writes it
    int value = 0;                            // written and read only by the thread that holds the node
  };

  const std::uint32_t capacity_;
  const std::unique_ptr<Node[]> nodes_;  // nodes_[1] .. nodes_[capacity_]; nodes_[0] is never used
  // TODO(lab): a head is a bare index here. The fix for ABA changes what these hold (lesson: "The fix").
  sync::atomic<std::uint32_t> head_;  // the stack's top node
  sync::atomic<std::uint32_t> free_;  // the free list's top node
};

}  // namespace lab
