// Throughput of one BlockingQueue<int> (capacity 64) shared by N producers and N consumers, N = 1..4.
// Items per second is the headline. Run: conclab bench 01.03 (or build bench_01_03_<variant> and run it).
//
// The naive queue can pop from an empty queue when a wakeup is stolen; its pop() then throws instead of
// returning. The consumer counts that ("empty_pops") and tries again, so the benchmark finishes and shows how
// often the bug fires.
#include <blocking_queue.hpp>

#include <benchmark/benchmark.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

constexpr int kItemsPerProducer = 20'000;

void BM_ProducerConsumerPairs(benchmark::State& state) {
  const int pairs = static_cast<int>(state.range(0));
  std::atomic<long> empty_pops{0};
  for (auto _ : state) {
    lab::BlockingQueue<int> queue(64);
    std::vector<std::jthread> threads;
    threads.reserve(static_cast<std::size_t>(2 * pairs));
    for (int p = 0; p < pairs; ++p) {
      threads.emplace_back([&queue] {
        for (int i = 0; i < kItemsPerProducer; ++i) queue.push(i);
      });
      threads.emplace_back([&queue, &empty_pops] {
        long sum = 0;
        for (int got = 0; got < kItemsPerProducer;) {
          try {
            sum += queue.pop();
            ++got;
          } catch (const std::logic_error&) {
            empty_pops.fetch_add(1, std::memory_order_relaxed);  // a counter only: read after the joins
          }
        }
        benchmark::DoNotOptimize(sum);
      });
    }
  }  // the jthreads join here, every iteration
  state.SetItemsProcessed(state.iterations() * pairs * kItemsPerProducer);
  state.counters["pairs"] = pairs;
  state.counters["empty_pops"] = static_cast<double>(empty_pops.load());
}
BENCHMARK(BM_ProducerConsumerPairs)->DenseRange(1, 4)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
