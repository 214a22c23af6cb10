// Benchmark for lab 02.04: how fast readers read a Quote, from a seqlock (lab::QuoteSeqlock, the version this
// program is built against) and, for comparison, from a std::shared_mutex and a std::mutex, with 1 or 2 reader
// threads and with or without a writer thread writing all the time. `./conclab bench 02.04` runs the variants side
// by side; the lesson's table was measured with the command it shows.
//
//   items_per_second  reads per second of wall-clock time, all reader threads together: the headline
//   torn              reads that returned a mix of two quotes: speed means nothing unless 0
//   writes            quotes the writer stored during the run (with a writer)
//
// The arguments: /writer:0 or /writer:1, and threads:1 or threads:2, the reader threads. With a writer, one more
// thread writes quotes as fast as it can for as long as the readers read (the worst case for them): on this
// 2-core machine, 2 readers and the writer are three threads on two cores.
#include <seqlock.hpp>

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stop_token>
#include <thread>

namespace {

// The baselines, with QuoteSeqlock's interface.
class MutexQuote {
 public:
  void write(const lab::Quote& q) {
    std::lock_guard lock(mu_);
    q_ = q;
  }
  lab::Quote read() const {
    std::lock_guard lock(mu_);
    return q_;
  }

 private:
  mutable std::mutex mu_;
  lab::Quote q_;
};

class SharedMutexQuote {
 public:
  void write(const lab::Quote& q) {
    std::unique_lock lock(mu_);
    q_ = q;
  }
  lab::Quote read() const {
    std::shared_lock lock(mu_);  // readers share the lock, but each one still writes its reader count
    return q_;
  }

 private:
  mutable std::shared_mutex mu_;
  lab::Quote q_;
};

lab::Quote quote(std::int64_t k) { return {100 * k + 1, 100 * k + 2, 100 * k + 3, 100 * k + 4}; }
bool whole(const lab::Quote& q) {
  return q.ask == q.bid + 1 && q.bid_size == q.bid + 2 && q.ask_size == q.bid + 3;
}

// Shared by the benchmark threads of one run: thread 0 replaces it before its timed loop; Google Benchmark
// starts the timed loops of all threads together, at a barrier, after that.
template <class Box>
std::unique_ptr<Box> box;

// The writer of a /writer:1 run: its own thread (not a benchmark thread, so the readers' loops are not tied to
// its pace), writing one quote after another, as fast as it can, from before the readers start until they end.
std::unique_ptr<std::jthread> writer;
std::atomic<std::int64_t> writes{0};

template <class Box>
void BM_Read(benchmark::State& state) {
  if (state.thread_index() == 0) {
    box<Box> = std::make_unique<Box>();
    writes.store(0);
    if (state.range(0) != 0) {
      writer = std::make_unique<std::jthread>([b = box<Box>.get()](std::stop_token stop) {
        std::int64_t k = 0;
        while (!stop.stop_requested()) b->write(quote(++k));
        writes.store(k);
      });
    }
  }
  std::int64_t torn = 0;
  for (auto _ : state) {
    const lab::Quote q = box<Box>->read();
    torn += whole(q) || q == lab::Quote{} ? 0 : 1;
    benchmark::DoNotOptimize(q);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["torn"] = static_cast<double>(torn);
  // Every thread's timed loop has ended (Google Benchmark waits for all of them at a barrier) when thread 0
  // stops the writer; it reports the writer's total once (counters are summed over threads).
  if (state.thread_index() == 0 && writer) {
    writer.reset();  // request_stop and join
    state.counters["writes"] = static_cast<double>(writes.load());
  }
}

void Args(benchmark::internal::Benchmark* b) {
  b->ArgName("writer")->Arg(0)->Arg(1)->Threads(1)->Threads(2)->UseRealTime();
}

BENCHMARK(BM_Read<lab::QuoteSeqlock>)->Name("BM_Seqlock")->Apply(Args);
BENCHMARK(BM_Read<SharedMutexQuote>)->Name("BM_SharedMutex")->Apply(Args);
BENCHMARK(BM_Read<MutexQuote>)->Name("BM_Mutex")->Apply(Args);

}  // namespace
