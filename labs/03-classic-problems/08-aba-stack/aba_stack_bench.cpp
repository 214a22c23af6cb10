// Benchmark for lab 03.08, aba-stack: push/pop pairs per second on one shared stack, from 1, 2 and 4 threads.
// The same file is built against each implementation (bench_03_08_learner, _naive, _improved, _final);
// `./conclab bench 03.08` runs them side by side. Figures measured here: modules/03-classic-problems/08-aba.md,
// "What it costs".
//
//   items_per_second  push/pop pairs per second of wall-clock time, all threads together: the headline
//   lost              values pushed that never came out (after the threads stop): speed means nothing unless 0
//   cycle             1 if the stack's links went round in a circle (more than its capacity came out): broken
//
// Each thread pushes a value and pops one, again and again, on one stack with room for 1024: the stack stays
// nearly empty, so every operation fights for the one head word (the worst case for any stack). Rows:
//   BM_Stack                     lab::Stack, the implementation this binary was built against
//   BM_Reference_MutexStack      a std::vector behind one std::mutex: correct, simple, not lock-free
//   BM_Peer_BoostLockfreeStack   boost::lockfree::stack<int, capacity<1024>> (Boost 1.74, Debian's libboost-dev):
//                                a fixed array of nodes addressed by 16-bit index with a 16-bit tag, the
//                                same design as this lab's (left out when the Boost headers are not installed)
// The Reference and Peer rows do not depend on the implementation: `conclab bench` runs them with final only.
#include <aba_stack.hpp>

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#if __has_include(<boost/lockfree/stack.hpp>)
#include <boost/lockfree/stack.hpp>
#define CONCLAB_HAVE_BOOST_LOCKFREE 1
#endif

namespace {

constexpr std::uint32_t kCapacity = 1024;

// Thread 0 creates the stack before the timed loops start (Google Benchmark starts them together, after a
// barrier) and reports the loss after they end (every thread waits at a barrier when its loop ends).
std::unique_ptr<lab::Stack> stack;
std::atomic<std::int64_t> balance{0};  // pushes that succeeded minus values popped, over all threads

void BM_Stack(benchmark::State& state) {
  if (state.thread_index() == 0) {
    stack = std::make_unique<lab::Stack>(kCapacity);
    balance.store(0);
  }
  std::int64_t mine = 0;
  int v = state.thread_index() * 1'000'000;
  for (auto _ : state) {
    if (stack->push(++v)) ++mine;
    if (std::optional<int> got = stack->pop()) {
      benchmark::DoNotOptimize(*got);
      --mine;
    }
  }
  balance.fetch_add(mine);
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    // What is still on the stack must be exactly what was pushed and not popped (threads are at the end barrier).
    // Bounded: a stack that ABA broke may have a cycle, and a stack with room for kCapacity never holds more.
    std::int64_t left = 0;
    while (left <= kCapacity && stack->pop()) ++left;
    state.counters["lost"] = static_cast<double>(balance.load() - left);
    state.counters["cycle"] = left > kCapacity ? 1 : 0;
  }
}

class MutexStack {
 public:
  bool push(int v) {
    std::lock_guard lock(mu_);
    if (items_.size() == kCapacity) return false;
    items_.push_back(v);
    return true;
  }
  std::optional<int> pop() {
    std::lock_guard lock(mu_);
    if (items_.empty()) return std::nullopt;
    const int v = items_.back();
    items_.pop_back();
    return v;
  }

 private:
  std::mutex mu_;
  std::vector<int> items_;  // guarded by mu_
};

std::unique_ptr<MutexStack> mutex_stack;

void BM_Reference_MutexStack(benchmark::State& state) {
  if (state.thread_index() == 0) mutex_stack = std::make_unique<MutexStack>();
  int v = state.thread_index() * 1'000'000;
  for (auto _ : state) {
    mutex_stack->push(++v);
    benchmark::DoNotOptimize(mutex_stack->pop());
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_Stack)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK(BM_Reference_MutexStack)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

#ifdef CONCLAB_HAVE_BOOST_LOCKFREE
using BoostStack = boost::lockfree::stack<int, boost::lockfree::capacity<kCapacity>>;
std::unique_ptr<BoostStack> boost_stack;

void BM_Peer_BoostLockfreeStack(benchmark::State& state) {
  if (state.thread_index() == 0) boost_stack = std::make_unique<BoostStack>();
  int v = state.thread_index() * 1'000'000;
  for (auto _ : state) {
    boost_stack->push(++v);  // bounded (capacity<>): returns false when full, never allocates
    int got = 0;
    benchmark::DoNotOptimize(boost_stack->pop(got));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Peer_BoostLockfreeStack)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();
#endif

}  // namespace
