// Throughput of one Channel<int> (capacity 64): N producers with N consumers (N = 1, 2, 4), and one
// producer feeding N consumers (N = 1, 2, 4, 8). Items per second is the headline.
// Run: conclab bench 01.08 (or build bench_01_08_<variant> and run it). The CPU column is the whole
// process's CPU time (all threads), which depends less than wall time on what else the machine is doing.
//
// Each consumer receives a fixed number of items, so every run ends without close(): the naive channel,
// which cannot close, finishes too. It is the fastest here, because its producers never wait: they run
// ahead and park everything in an ever longer queue. That speed is borrowed memory (lesson 09).
#include <channel.hpp>

#include <benchmark/benchmark.h>

#include <optional>
#include <thread>
#include <vector>

namespace {

constexpr int kItemsPerProducer = 20'000;

void BM_ChannelPairs(benchmark::State& state) {
  const int pairs = static_cast<int>(state.range(0));
  for (auto _ : state) {
    lab::Channel<int> ch(64);
    std::vector<std::jthread> threads;
    threads.reserve(static_cast<std::size_t>(2 * pairs));
    for (int p = 0; p < pairs; ++p) {
      threads.emplace_back([&ch] {
        for (int i = 0; i < kItemsPerProducer; ++i) ch.send(i);
      });
      threads.emplace_back([&ch] {
        long sum = 0;
        for (int got = 0; got < kItemsPerProducer; ++got) sum += *ch.receive();
        benchmark::DoNotOptimize(sum);
      });
    }
  }  // the jthreads join here, every iteration
  state.SetItemsProcessed(state.iterations() * pairs * kItemsPerProducer);
  state.counters["pairs"] = pairs;
}
BENCHMARK(BM_ChannelPairs)->Arg(1)->Arg(2)->Arg(4)->MeasureProcessCPUTime()->UseRealTime()->Unit(benchmark::kMillisecond);

// One producer feeding N consumers that mostly wait for it: every send finds several receivers asleep.
// Waking all of them for each item (notify_all) costs a context switch each; waking one does not.
void BM_ChannelFanOut(benchmark::State& state) {
  const int consumers = static_cast<int>(state.range(0));
  constexpr int kItems = 40'000;
  const int per_consumer = kItems / consumers;
  for (auto _ : state) {
    lab::Channel<int> ch(64);
    std::vector<std::jthread> threads;
    threads.reserve(static_cast<std::size_t>(consumers + 1));
    for (int c = 0; c < consumers; ++c) {
      threads.emplace_back([&ch, per_consumer] {
        long sum = 0;
        for (int got = 0; got < per_consumer; ++got) sum += *ch.receive();
        benchmark::DoNotOptimize(sum);
      });
    }
    threads.emplace_back([&ch, per_consumer, consumers] {
      for (int i = 0; i < per_consumer * consumers; ++i) ch.send(i);
    });
  }
  state.SetItemsProcessed(state.iterations() * (kItems / consumers) * consumers);
  state.counters["consumers"] = consumers;
}
BENCHMARK(BM_ChannelFanOut)->Arg(1)->Arg(2)->Arg(4)->Arg(8)->MeasureProcessCPUTime()->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
