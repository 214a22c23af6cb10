// Benchmark for lab 02.01: what the memory orders cost on this machine. Built against each implementation
// (bench_02_01_learner, _naive, _improved, _final; g++ -O2); `./conclab bench 02.01` runs them side by side.
//
// Two groups of rows:
//   BM_Lab*    the lab's own thread functions in a loop: what your choice of orders costs.
//              MpWriter: mp_thread_a (data store, flag store). SbRoundTrip: sb_thread_a (store x, load y) on one
//              thread, and on two threads (thread 1 runs sb_thread_b on the same locations, as in the test).
//   BM_Order*  fixed code, the same in every build: one store in a loop with each order (a seq_cst store is an
//              `xchg` on x86 with g++ 12; "relaxed+fence" is a relaxed store and a seq_cst fence, which g++ 12 emits
//              as `mov` + `lock orq $0, (%rsp)`), and SB's store-then-load with seq_cst against release/acquire,
//              on 1 and 2 threads.
// Every load is a plain `mov` on x86 whatever its order; the stores are where the cost is. On ARM or POWER the
// loads would differ as well.
#include <litmus.hpp>

#include <benchmark/benchmark.h>

#include <atomic>

namespace {

// The locations the lab's functions work on, shared by the benchmark threads of one run.
lab::Shared shared;
struct alignas(64) PaddedRegs {
  lab::Regs regs;
};
PaddedRegs regs[2];  // one per thread, on its own cache line

void BM_LabMpWriter(benchmark::State& state) {
  for (auto _ : state) lab::mp_thread_a(shared, regs[0].regs);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LabMpWriter);

void BM_LabSbRoundTrip(benchmark::State& state) {
  const int me = state.thread_index();
  for (auto _ : state) {
    if (me == 0) {
      lab::sb_thread_a(shared, regs[0].regs);
    } else {
      lab::sb_thread_b(shared, regs[1].regs);
    }
    benchmark::DoNotOptimize(regs[me].regs.r1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LabSbRoundTrip)->Threads(1)->Threads(2)->UseRealTime();

// ---- Fixed code: the orders themselves ----

alignas(64) std::atomic<int> x{0};
alignas(64) std::atomic<int> y{0};

enum class Kind { kRelaxed, kRelease, kSeqCst, kFence };

template <Kind kKind>
void BM_OrderStore(benchmark::State& state) {
  int v = 0;
  for (auto _ : state) {
    ++v;
    if constexpr (kKind == Kind::kRelaxed) x.store(v, std::memory_order_relaxed);
    if constexpr (kKind == Kind::kRelease) x.store(v, std::memory_order_release);
    if constexpr (kKind == Kind::kSeqCst) x.store(v, std::memory_order_seq_cst);
    if constexpr (kKind == Kind::kFence) {
      x.store(v, std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_seq_cst);
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OrderStore<Kind::kRelaxed>)->Name("BM_OrderStore/relaxed");
BENCHMARK(BM_OrderStore<Kind::kRelease>)->Name("BM_OrderStore/release");
BENCHMARK(BM_OrderStore<Kind::kSeqCst>)->Name("BM_OrderStore/seq_cst");
BENCHMARK(BM_OrderStore<Kind::kFence>)->Name("BM_OrderStore/relaxed+fence");

// SB's two accesses: thread 0 stores x and loads y, thread 1 stores y and loads x.
template <bool kSeqCst>
void BM_OrderSbRoundTrip(benchmark::State& state) {
  constexpr auto st = kSeqCst ? std::memory_order_seq_cst : std::memory_order_release;
  constexpr auto ld = kSeqCst ? std::memory_order_seq_cst : std::memory_order_acquire;
  std::atomic<int>& mine = state.thread_index() == 0 ? x : y;
  std::atomic<int>& theirs = state.thread_index() == 0 ? y : x;
  for (auto _ : state) {
    mine.store(1, st);
    benchmark::DoNotOptimize(theirs.load(ld));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OrderSbRoundTrip<true>)->Name("BM_OrderSbRoundTrip/seq_cst")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_OrderSbRoundTrip<false>)->Name("BM_OrderSbRoundTrip/acq_rel")->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
