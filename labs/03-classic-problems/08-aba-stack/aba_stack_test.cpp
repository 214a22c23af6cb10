// Graded tests for lab 03.08, aba-stack. Lesson: modules/03-classic-problems/08-aba.md.
//
// ABA needs a thread to stop at one exact place (between its read of the head and its compare-exchange) while
// other threads pop and push, and a stress test on real threads lands there only now and then. So the tests
// that catch ABA are sim tests: in the sim build the explorer runs every schedule of their threads with up to
// two preemptions, which includes the ABA schedule, on every run. Elsewhere they run 20 times on real threads.
//
// Every multi-threaded test ends the same way, after the threads are joined: it takes everything off the stack,
// checks that the values that came out (from the threads' pops and from that drain) are exactly the values that
// went in, then fills the empty stack to its capacity and empties it again, which proves that every node is
// back in the pool exactly once. The failure says which of these broke: a value lost, a value popped twice, a
// value nobody pushed, a node lost, a node handed out twice, a cycle.
#include <aba_stack.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "conclab/run_threads.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"
#include "conclab/watchdog.hpp"

namespace {

constexpr const char* kLesson = "modules/03-classic-problems/08-aba.md";

std::string list(const std::vector<int>& values) {
  std::ostringstream out;
  for (std::size_t i = 0; i < values.size() && i < 12; ++i) out << (i > 0 ? ", " : "") << values[i];
  if (values.size() > 12) out << ", ... (" << values.size() << " in all)";
  if (values.empty()) out << "(none)";
  return out.str();
}

// How far what_broke() looks. The explorer runs it at the end of every schedule, and every compare-exchange in it
// is one more place where it tries a spurious failure, so each sim test looks only as far as its bug can reach.
enum class Check {
  kValues,  // drain the stack: every value that went in came out once
  kNodes,   // ... and the empty stack takes exactly `capacity` pushes: no node lost, none handed out twice
  kAll,     // ... and gives those pushes back in reverse order
};

// What is wrong with a stack whose threads are all joined, or "" when nothing is. `pushed`: every value pushed
// successfully (setup included); `popped`: every value the threads' pops returned. Takes the stack apart.
std::string what_broke(lab::Stack& stack, const std::vector<int>& pushed, const std::vector<int>& popped,
                       Check check = Check::kAll) {
  const std::uint32_t capacity = stack.capacity();
  // 1. Drain it. A stack holds at most `capacity` values: popping more means its links go round in a circle.
  std::vector<int> drained;
  drained.reserve(capacity + 1);
  while (drained.size() <= capacity) {
    const std::optional<int> v = stack.pop();
    if (!v) break;
    drained.push_back(*v);
  }
  if (drained.size() > capacity) {
    return "after the threads were joined, pop() returned a value " + std::to_string(drained.size()) +
           " times in a row (" + list(drained) + ") from a stack with room for " + std::to_string(capacity) +
           ": the links form a CYCLE. A node's next leads back to a node already seen, or the stack's head points into "
           "the free list (a node on both lists).";
  }
  // 2. What came out must be exactly what went in.
  std::vector<int> in = pushed;
  std::vector<int> out = popped;
  out.insert(out.end(), drained.begin(), drained.end());
  std::sort(in.begin(), in.end());
  std::sort(out.begin(), out.end());
  if (in != out) {
    std::vector<int> lost;
    std::vector<int> extra;
    std::set_difference(in.begin(), in.end(), out.begin(), out.end(), std::back_inserter(lost));
    std::set_difference(out.begin(), out.end(), in.begin(), in.end(), std::back_inserter(extra));
    std::string what = "values pushed: " + list(pushed) + "; returned by the threads' pops: " + list(popped) +
                       "; left on the stack after join: " + list(drained) + ".\n";
    if (!lost.empty()) what += "LOST: " + list(lost) + " went in and never came out. ";
    if (!extra.empty())
      what += "POPPED TWICE (or never pushed): " + list(extra) + " came out more often than it went in. ";
    return what;
  }
  if (check == Check::kValues) return "";
  // 3. Every node must be back in the pool exactly once: the empty stack takes exactly `capacity` values, and
  //    gives them back in reverse order.
  std::uint32_t refilled = 0;
  while (refilled < capacity && stack.push(1000 + static_cast<int>(refilled))) ++refilled;
  if (refilled < capacity) {
    return "every value came out, but the empty stack then took only " + std::to_string(refilled) + " pushes of its " +
           "capacity " + std::to_string(capacity) + ": " + std::to_string(capacity - refilled) +
           " NODE(S) LOST, on neither the stack nor the free list.";
  }
  if (stack.push(9999)) {
    return "every value came out, and then the empty stack took " + std::to_string(capacity + 1) +
           " pushes with room " + "for " + std::to_string(capacity) +
           ": a NODE HANDED OUT TWICE (it is on the free list twice, or on the free " + "list and the stack at once).";
  }
  if (check == Check::kNodes) return "";
  std::vector<int> again;
  again.reserve(capacity + 1);
  while (again.size() <= capacity) {
    const std::optional<int> v = stack.pop();
    if (!v) break;
    again.push_back(*v);
  }
  bool in_reverse = again.size() == capacity;
  for (std::uint32_t k = 0; in_reverse && k < capacity; ++k)
    in_reverse = again[k] == 1000 + static_cast<int>(capacity - 1 - k);
  if (!in_reverse) {
    return "every value came out; then 1000 .. " + std::to_string(999 + capacity) +
           " were pushed into the empty stack (one " + "thread) and popped back as " + list(again) +
           ": a node was HANDED OUT TWICE (two pushes wrote the same node) " + "or the links are broken.";
  }
  return "";
}

std::string aba_advice(bool explored = true) {
  return std::string(
             "\nThis is what ABA does: a thread read the head (node A) and A's next, other threads popped A, "
             "reused node A for a new push, and A was on top again; the first thread's compare-exchange saw "
             "A and succeeded, installing a next read in A's previous life. Comparing the index alone cannot "
             "tell the two As apart: put a generation beside it in the same 64-bit word, increment it on "
             "every change, and compare-exchange the pair. Both the stack and the free list need it. Read ") +
         kLesson + " (\"The four steps\", \"The fix: a generation beside the index\")" +
         (explored ? "; the schedule below is the one that broke it, step by step." : ".");
}

// For the explorer's "never ends" verdict: push() and pop() wait for nothing, so a thread that never ends is a loop.
void explain_never_ends() {
  conclab::sim::explain(std::string("push() and pop() never wait for anything, so a thread that never ends here is a "
                                    "compare-exchange loop that can never succeed: typically one that retries with the "
                                    "head it read first instead of the head the failed exchange loaded into its first "
                                    "argument. Read ") +
                        kLesson + " (\"The retry loop\").");
}

std::vector<int> values_of(std::initializer_list<std::optional<int>> results) {
  std::vector<int> out;
  for (const auto& r : results) {
    if (r) out.push_back(*r);
  }
  return out;
}

// ---- One thread: the contract, without any race ----

TEST(StackTest, StartsEmpty) {
  lab::Stack stack(4);
  EXPECT_EQ(stack.capacity(), 4U) << "Stack(4) has room for 4 values: capacity() must say 4.";
  EXPECT_FALSE(stack.pop().has_value()) << "pop() on a new stack must return std::nullopt: nothing was pushed. Read "
                                        << kLesson << '.';
}

TEST(StackTest, PopsInReverseOrderOfPushes) {
  lab::Stack stack(5);
  for (int v = 1; v <= 5; ++v) {
    ASSERT_TRUE(stack.push(v * 10)) << "push(" << v * 10 << ") number " << v
                                    << " into a stack with room for 5 returned "
                                    << "false: push() fails only when every node of the pool is in use.";
  }
  for (int v = 5; v >= 1; --v) {
    const std::optional<int> got = stack.pop();
    ASSERT_TRUE(got.has_value()) << "pushed 10, 20, 30, 40, 50 and popped " << 5 - v << " of them, but pop() returned "
                                 << "nothing: a stack holds every value until it is popped.";
    EXPECT_EQ(*got, v * 10) << "pushed 10, 20, 30, 40, 50: a stack pops the last value pushed first (50, 40, ...).";
  }
  EXPECT_FALSE(stack.pop().has_value()) << "five pushes and five pops: the stack must be empty.";
}

TEST(StackTest, PushFailsOnlyWhenEveryNodeIsInUse) {
  lab::Stack stack(4);
  for (int k = 1; k <= 4; ++k) {
    ASSERT_TRUE(stack.push(k)) << "push number " << k
                               << " into an empty stack with room for 4 returned false: the pool "
                               << "has 4 nodes, and all must be usable. If only 3 are, look at index 0: it means "
                               << "\"no node\", so the nodes are 1 .. capacity and the array needs capacity + 1 slots "
                               << "(or node 0 is the end of a list and also a node). Read " << kLesson
                               << " (\"The lab\").";
  }
  EXPECT_FALSE(stack.push(5))
      << "a fifth push into a stack with room for 4 returned true: push() must return false when "
      << "every node is in use (and must not overwrite one).";
  ASSERT_EQ(stack.pop(), std::optional<int>(4)) << "after pushing 1, 2, 3, 4, pop() must return 4.";
  EXPECT_TRUE(stack.push(6)) << "after a pop freed a node, push() returned false: a popped node must go back to the "
                             << "free list so the next push can use it.";
  const std::string broken = what_broke(stack, {1, 2, 3, 4, 6}, {4});
  if (!broken.empty()) ADD_FAILURE() << broken << "\nRead " << kLesson << '.';
}

TEST(StackTest, NodesAreReusedWithoutLimit) {
  // 10'000 push/pop pairs through a pool of 2 nodes: every node is reused thousands of times.
  lab::Stack stack(2);
  ASSERT_TRUE(stack.push(-1)) << "push() into an empty stack returned false.";
  for (int k = 0; k < 10'000; ++k) {
    ASSERT_TRUE(stack.push(k))
        << "push number " << k + 2 << " (with one value on a stack with room for 2, and every "
        << "earlier push popped) returned false: a popped node did not go back to the free list.";
    const std::optional<int> got = stack.pop();
    ASSERT_EQ(got, std::optional<int>(k)) << "push(" << k << ") then pop() must return " << k << ".";
  }
  const std::string broken = what_broke(stack, {-1}, {});
  if (!broken.empty()) ADD_FAILURE() << broken << "\nRead " << kLesson << '.';
}

// ---- The explorer: every schedule, ABA included ----

// The ABA on the stack. Three actors: T1 pops, T2 pops, and the test's own thread T0 pushes once T2 is done (the
// smallest shape the explorer reaches with two preemptions: with one pool, a single other thread that pops and
// pushes puts node A back with the very next it had, so its ABA is harmless; see the lesson). The stack is full:
// 20 in node A on top of 10 in node B, the free list empty. T1 reads the head (A); T2 pops A (A goes on the free
// list, where its next is now 0: the list was empty); T1 reads A's next (0); T0 pushes 30 into node A (on top
// again, its next B); T1's exchange sees A and installs 0: the stack looks empty, and 10 is lost with node B.
CONCLAB_SIM_TEST(StackTest, TwoPopsAndAPushKeepEveryValue) {
  explain_never_ends();
  lab::Stack stack(2);
  ASSERT_TRUE(stack.push(10) && stack.push(20)) << "two pushes into an empty stack with room for 2 (before any thread "
                                                << "started) must both succeed.";
  std::optional<int> first;
  std::optional<int> second;
  bool pushed = false;
  {
    conclab::sync::jthread t1([&] { first = stack.pop(); });
    {
      conclab::sync::jthread t2([&] { second = stack.pop(); });
    }  // T0 waits for T2's pop, then pushes itself: the order ABA needs, and far fewer schedules to explore
    pushed = stack.push(30);
  }  // joined
  std::vector<int> in = {10, 20};
  if (pushed) in.push_back(30);
  const std::string broken = what_broke(stack, in, values_of({first, second}), Check::kValues);
  if (!broken.empty())
    ADD_FAILURE() << "The stack held 20 on top of 10 (full); T1 and T2 each popped once, and T0 pushed 30 after T2's "
                  << "pop (which may fail only while both nodes are in use).\n"
                  << broken << aba_advice();
}

// The ABA on the free list: a push takes its node off the free list exactly as pop takes one off the stack.
// T1 pushes 20, T2 pushes 30, and T0 pops once T2 is done. The stack holds 10 in node 1; node 2 is free (its next
// 0). T1's push reads the free list's top (node 2) and its next (0); T2's push takes node 2 and puts 30 in it on
// the stack; T0's pop takes 30 and gives node 2 back to the free list; T1's exchange sees node 2 on top and
// succeeds. Now T1 writes into a node whose last owner nothing orders before it (the explorer reports that data
// race), and in other schedules a node ends up on the free list and the stack at once.
CONCLAB_SIM_TEST(StackTest, TwoPushesAndAPopKeepEveryNode) {
  explain_never_ends();
  lab::Stack stack(2);
  ASSERT_TRUE(stack.push(10)) << "push(10) into an empty stack with room for 2 returned false.";
  bool pushed20 = false;
  bool pushed30 = false;
  std::optional<int> popped;
  {
    conclab::sync::jthread t1([&] { pushed20 = stack.push(20); });
    {
      conclab::sync::jthread t2([&] { pushed30 = stack.push(30); });
    }  // T0 waits for T2's push, then pops itself: the order ABA needs, and far fewer schedules to explore
    popped = stack.pop();
  }  // joined
  EXPECT_TRUE(pushed20 || pushed30) << "the stack had a free node, yet both pushes (20 and 30) returned false.";
  std::vector<int> in = {10};
  if (pushed20) in.push_back(20);
  if (pushed30) in.push_back(30);
  const std::string broken = what_broke(stack, in, values_of({popped}), Check::kNodes);
  if (!broken.empty())
    ADD_FAILURE() << "The stack held 10 (one of its 2 nodes free); T1 pushed 20 and T2 pushed 30, and T0 popped once "
                  << "after T2's push (a push may fail only while both nodes are in use).\n"
                  << broken << aba_advice();
}

// Two threads: T1 pops while the test's own thread T0 pushes. The value T0 writes into its node must be visible to
// the pop that takes that node: a release on the push's exchange, an acquire on every head the pop follows (its
// first load and the reload of a failed exchange), and the value written before the exchange publishes the node.
// The explorer runs the C++ memory model, so a missing pair is a data race or a stale value on some schedule, even
// on x86. (TwoPopsAndAPushKeepEveryValue checks the same and more, with a third actor; this is the small case.)
CONCLAB_SIM_TEST(StackTest, PopRacesAPush) {
  explain_never_ends();
  lab::Stack stack(2);
  ASSERT_TRUE(stack.push(10)) << "push(10) into an empty stack with room for 2 returned false.";
  std::optional<int> popped;
  bool pushed = false;
  {
    conclab::sync::jthread t1([&] { popped = stack.pop(); });
    pushed = stack.push(20);
  }  // joined
  EXPECT_TRUE(pushed) << "the stack had a free node, but push(20) returned false.";
  ASSERT_TRUE(popped == 10 || popped == 20) << "T1's pop returned " << (popped ? std::to_string(*popped) : "nothing")
                                            << " from a stack that held 10 while T0 pushed 20: it must return 10 or "
                                            << "20. A value nobody pushed means the pop read its node before the "
                                            << "push's write was visible: release on the push's exchange, acquire on "
                                            << "the pop's reads of the head. Read " << kLesson << " (\"The orders\").";
  std::vector<int> in = {10};
  if (pushed) in.push_back(20);
  const std::string broken = what_broke(stack, in, values_of({popped}), Check::kValues);
  if (!broken.empty())
    ADD_FAILURE() << "The stack held 10; T1 popped once while T0 pushed 20.\n" << broken << "\nRead " << kLesson << '.';
}

// ---- Real threads: a stress test for ThreadSanitizer (and a smoke test of the whole) ----

TEST(StackTest, ManyThreadsPushAndPopEveryValueOnce) {
  // Four threads push and pop through a pool of 8 nodes, so every node is reused thousands of times while other
  // threads hold the head. Correct code passes every time; ABA here shows up only now and then (the sim tests
  // catch it every run), but ThreadSanitizer reports a data race on a node's fields whenever one is possible.
  // Under a watchdog: a compare-exchange loop that never ends (a retry that does not use the reloaded head) would
  // otherwise run into the lab's timeout with no message.
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5'000;
  struct State {
    lab::Stack stack{8};
    std::vector<std::vector<int>> pushed = std::vector<std::vector<int>>(kThreads);
    std::vector<std::vector<int>> popped = std::vector<std::vector<int>>(kThreads);
  };
  auto state = std::make_shared<State>();
  const auto patience = conclab::patience(std::chrono::seconds(10));
  const bool returned = conclab::returns_in_time(
      [state] {
        conclab::run_threads(kThreads, [&](int t) {
          for (int k = 0; k < kPerThread; ++k) {
            const int v = t * 1'000'000 + k;
            if (state->stack.push(v)) state->pushed[t].push_back(v);
            if (const std::optional<int> got = state->stack.pop()) state->popped[t].push_back(*got);
          }
        });
      },
      patience);
  ASSERT_TRUE(returned)
      << kThreads << " threads pushing and popping " << kPerThread << " times each did not finish within "
      << patience.count() / 1000.0 << " s (correct code takes well under a second): some push() or "
      << "pop() never returns. The usual cause is a compare-exchange loop that retries with the head it "
      << "read first instead of the one the failed exchange loaded into `expected`: once another "
      << "thread changes the head, that loop can never succeed. Read " << kLesson << " (\"The retry "
      << "loop\").";
  std::vector<int> in;
  std::vector<int> out;
  for (int t = 0; t < kThreads; ++t) {
    in.insert(in.end(), state->pushed[t].begin(), state->pushed[t].end());
    out.insert(out.end(), state->popped[t].begin(), state->popped[t].end());
  }
  const std::string broken = what_broke(state->stack, in, out);
  if (!broken.empty()) {
    ADD_FAILURE() << kThreads << " threads pushed and popped " << kPerThread
                  << " times each through a pool of 8 nodes. " << broken << aba_advice(false);
  }
}

}  // namespace
