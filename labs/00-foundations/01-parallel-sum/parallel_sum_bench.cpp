// Benchmark for lab 00.01: how the sum scales with threads. The same file is built against each
// implementation (bench_00_01_learner, _naive, _improved, _final); `./conclab bench 00.01` runs them side
// by side.
//
//   items_per_second  values summed per second of wall-clock time: the headline; compare across thread counts
//   wrong             the fraction of calls whose sum was wrong: speed means nothing if this is not 0
//
// Wall-clock time (UseRealTime), because parallel_sum runs its own threads: the benchmark's thread only
// waits for them, and its CPU time would show almost nothing.
#include <parallel_sum.hpp>

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

namespace {

// 4 Mi values (16 MiB), made once: big enough that starting the threads is a small part of a call,
// small enough that a call takes milliseconds.
const std::vector<std::int32_t>& input() {
  static const std::vector<std::int32_t> values = [] {
    std::vector<std::int32_t> v(std::size_t{1} << 22);
    std::uint32_t x = 12345;
    for (std::int32_t& e : v) {
      x = x * 1'664'525u + 1'013'904'223u;  // a fixed LCG, so every run sums the same numbers
      e = static_cast<std::int32_t>(x >> 8) - (1 << 23);
    }
    return v;
  }();
  return values;
}

void BM_ParallelSum(benchmark::State& state) {
  const std::vector<std::int32_t>& values = input();
  const std::int64_t want = std::accumulate(values.begin(), values.end(), std::int64_t{0});
  const auto threads = static_cast<unsigned>(state.range(0));
  std::int64_t wrong = 0;
  for (auto _ : state) {
    const std::int64_t got = lab::parallel_sum(values, threads);
    benchmark::DoNotOptimize(got);
    if (got != want) ++wrong;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(values.size()));
  state.counters["wrong"] = benchmark::Counter(static_cast<double>(wrong), benchmark::Counter::kAvgIterations);
}

BENCHMARK(BM_ParallelSum)->Arg(1)->Arg(2)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
