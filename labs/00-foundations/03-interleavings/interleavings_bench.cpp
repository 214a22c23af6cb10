// Benchmark for lab 00.03: how outcomes() scales with the length of the threads. The same file is built
// against each implementation (bench_00_03_learner, _naive, _improved, _final); `./conclab bench 00.03`
// runs them side by side.
//
// The program is the lost update made longer: each thread does x++ (a load and a store) k times, so each
// has 2k steps and there are C(4k, 2k) schedules: 70, 924, 12'870, 184'756 and 2'704'156 for k = 2..6.
//
//   items_per_second  schedules accounted for per second (C(4k, 2k) per call): the headline
//   outcomes          how many distinct final states were found; naive finds too few, so its speed is
//                     the speed of a wrong answer
//
// One thread, no parallelism: this measures the search, so CPU time is the honest clock.
#include <interleavings.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>

namespace {

lab::Thread increments(int times, const char* reg) {
  lab::Thread t;
  for (int i = 0; i < times; ++i) {
    t.push_back(lab::load(reg, "x"));
    t.push_back(lab::store("x", reg, 1));
  }
  return t;
}

void BM_Outcomes(benchmark::State& state) {
  const auto k = static_cast<int>(state.range(0));
  const lab::Thread a = increments(k, "r1");
  const lab::Thread b = increments(k, "r2");
  std::size_t found = 0;
  for (auto _ : state) {
    const auto all = lab::outcomes(a, b);
    found = all.size();
    benchmark::DoNotOptimize(found);
  }
  // Computed here, not with lab::count_schedules: the learner's version may not be finished.
  std::uint64_t schedules = 1;
  for (int i = 1; i <= 2 * k; ++i) schedules = schedules * static_cast<std::uint64_t>(2 * k + i) / static_cast<std::uint64_t>(i);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(schedules));
  state.counters["outcomes"] = static_cast<double>(found);
}

BENCHMARK(BM_Outcomes)->DenseRange(2, 6)->Unit(benchmark::kMillisecond);

}  // namespace
