// Benchmark for lab 02.05: what one get() costs once the table is built (the fast path), from 1 and 2 threads.
// The same file is built against each implementation (bench_02_05_learner, _naive, _improved, _final);
// `./conclab bench 02.05` runs them side by side.
//
//   BM_Get                 the implementation's LazyTable::get(): improved locks a mutex on every call, final
//                          does one acquire load, naive one plain load (fast, and a data race)
//   BM_CallOnce            the same job done with std::call_once on a std::once_flag member (the production
//                          answer for a per-object table); identical in every binary, for comparison
//   BM_FunctionLocalStatic the same job done with a function-local static (the production answer for one
//                          global table); identical in every binary, for comparison
//
// Tables are built once and read forever after, so the fast path is what matters. A mutex makes every reader
// WRITE the mutex's cache line, so readers on two cores take turns on it; an acquire load (on x86 a plain MOV)
// only reads, so readers do not disturb each other. Read items_per_second (all threads together, wall clock)
// and the CPU time per call: on this shared 2-core machine the second core is not always free, and the CPU time
// is the fairer number then.
#include <lazy_table.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <memory>
#include <mutex>
#include <optional>

namespace {

struct Table {
  std::array<int, 16> rows{};
};

void fill(Table& t) {
  for (int i = 0; i < 16; ++i) t.rows[static_cast<std::size_t>(i)] = i * i;
}

// Shared by the benchmark threads of one run. Thread 0 replaces it and builds the table before its timed loop;
// Google Benchmark starts the timed loops of all threads together, at a barrier, after that.
std::unique_ptr<lab::LazyTable<Table>> lazy;

void BM_Get(benchmark::State& state) {
  if (state.thread_index() == 0) {
    lazy = std::make_unique<lab::LazyTable<Table>>(fill);
    benchmark::DoNotOptimize(&lazy->get());  // build it now: the timed loop measures the fast path only
  }
  for (auto _ : state) {
    const Table& t = lazy->get();
    benchmark::DoNotOptimize(t.rows[3]);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Get)->Threads(1)->Threads(2)->UseRealTime();

// std::call_once with a once_flag member: what a per-object lazy table looks like in production code.
class CallOnceTable {
 public:
  const Table& get() {
    std::call_once(once_, [this] {
      table_.emplace();
      fill(*table_);
    });
    return *table_;
  }

 private:
  std::once_flag once_;
  std::optional<Table> table_;  // written once, inside call_once; read-only after it
};
std::unique_ptr<CallOnceTable> once_table;

void BM_CallOnce(benchmark::State& state) {
  if (state.thread_index() == 0) {
    once_table = std::make_unique<CallOnceTable>();
    benchmark::DoNotOptimize(&once_table->get());
  }
  for (auto _ : state) {
    const Table& t = once_table->get();
    benchmark::DoNotOptimize(t.rows[3]);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CallOnce)->Threads(1)->Threads(2)->UseRealTime();

// A function-local static ("magic static"): one table for the whole program. The compiler inlines its guard check
// (an acquire load of a guard byte, then __cxa_guard_acquire only while it is unset) into the caller, as it does
// with final's acquire load: the lesson shows the assembly.
inline const Table& global_table() {
  static const Table table = [] {
    Table t;
    fill(t);
    return t;
  }();
  return table;
}

void BM_FunctionLocalStatic(benchmark::State& state) {
  if (state.thread_index() == 0) benchmark::DoNotOptimize(&global_table());
  for (auto _ : state) {
    const Table& t = global_table();
    benchmark::DoNotOptimize(t.rows[3]);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FunctionLocalStatic)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
