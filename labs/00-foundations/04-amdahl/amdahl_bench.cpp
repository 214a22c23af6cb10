// Benchmark for lab 00.04: measure this machine, then fit Amdahl's law to it with your functions.
// The same file is built against each implementation (bench_00_04_learner, _naive, _improved, _final);
// `./conclab bench 00.04` runs them side by side.
//
// The workload is pure arithmetic (a xorshift loop: no memory traffic, no locks) of a fixed total size,
// of which a chosen percentage runs on one thread first (the serial part) and the rest is split evenly
// across N threads started for it. Its serial fraction is therefore known, and the fit can be checked
// against it.
//
//   BM_Workload/<serial %>/<threads>   one run of the workload: compare the times across thread counts
//                                      yourself (speedup = time with 1 thread / time with N threads)
//   BM_FitThisMachine/<serial %>       each iteration runs the workload on 1, 2 and 4 threads and times
//                                      each run; afterwards lab::speedups() and lab::fit_serial_fraction()
//                                      turn all those runs into the counters:
//       S2, S4       speedup on 2 and 4 threads (the fastest run of each, as speedups() picks)
//       s_fit        the serial fraction your fit reads from 1, 2 and 4 threads
//       s_fit_le2    the same from 1 and 2 threads only
//       s_true       the serial fraction built into the workload
//
// Expect s_fit_le2 a little above s_true (starting threads is serial work too, and other programs share
// the machine), and on a 2-core machine s_fit far above it: a 4-thread run cannot beat a 2-thread run
// when there are only 2 cores, and Amdahl's model can only explain that as serial work.
//
// Wall-clock time (UseRealTime): the work runs on threads the benchmark starts itself.
#include <amdahl.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

namespace {

constexpr std::uint64_t kUnits = 20'000;        // total work per run
constexpr std::uint64_t kStepsPerUnit = 1'000;  // xorshift steps per unit (about a microsecond)

std::uint64_t spin(std::uint64_t units, std::uint64_t seed) {
  std::uint64_t x = seed | 1;
  for (std::uint64_t i = 0; i < units * kStepsPerUnit; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  return x;
}

// The serial part on this thread, then the parallel part split over `threads` new threads.
void run_workload(int serial_percent, int threads) {
  const std::uint64_t serial_units = kUnits * static_cast<std::uint64_t>(serial_percent) / 100;
  const std::uint64_t parallel_units = kUnits - serial_units;
  benchmark::DoNotOptimize(spin(serial_units, 1));
  std::vector<std::jthread> workers;
  const auto n = static_cast<std::uint64_t>(threads);
  for (std::uint64_t t = 0; t < n; ++t) {
    const std::uint64_t share = parallel_units * (t + 1) / n - parallel_units * t / n;
    workers.emplace_back([share, t] { benchmark::DoNotOptimize(spin(share, t + 2)); });
  }
}  // ~jthread joins every worker

void BM_Workload(benchmark::State& state) {
  const auto serial_percent = static_cast<int>(state.range(0));
  const auto threads = static_cast<int>(state.range(1));
  for (auto _ : state) run_workload(serial_percent, threads);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kUnits));
}

BENCHMARK(BM_Workload)
    ->ArgNames({"serial%", "threads"})
    ->ArgsProduct({{0, 10, 50}, {1, 2, 4}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_FitThisMachine(benchmark::State& state) {
  const auto serial_percent = static_cast<int>(state.range(0));
  std::vector<lab::Timing> runs;
  for (auto _ : state) {
    for (const int threads : {1, 2, 4}) {
      const auto start = std::chrono::steady_clock::now();
      run_workload(serial_percent, threads);
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      runs.push_back({threads, took.count()});
    }
  }
  try {
    const std::vector<lab::Point> points = lab::speedups(runs);
    std::vector<lab::Point> up_to_two;
    for (const lab::Point& p : points) {
      if (p.threads == 2) state.counters["S2"] = p.speedup;
      if (p.threads == 4) state.counters["S4"] = p.speedup;
      if (p.threads <= 2) up_to_two.push_back(p);
    }
    state.counters["s_fit"] = lab::fit_serial_fraction(points);
    state.counters["s_fit_le2"] = lab::fit_serial_fraction(up_to_two);
    state.counters["s_true"] = serial_percent / 100.0;
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

BENCHMARK(BM_FitThisMachine)->ArgName("serial%")->Arg(0)->Arg(10)->Arg(50)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
