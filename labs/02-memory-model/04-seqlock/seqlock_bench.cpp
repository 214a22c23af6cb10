// Benchmark for lab 02.04: how fast readers read a Quote, from a seqlock (lab::QuoteSeqlock, the version this
// program is built against) and, for comparison, from a std::shared_mutex and a std::mutex, with 1 or 2 reader
// threads and with or without a writer thread writing all the time. `./conclab bench 02.04` runs the variants side
// by side; the lesson's table was measured with the command it shows.
//
//   items_per_second  reads per second of wall-clock time, all reader threads together: the headline
//   torn              reads that returned a mix of two quotes: speed means nothing unless 0
//
// The arguments: /writer:0 or /writer:1; the thread count is readers plus the writer. With a writer, thread 0
// writes (one write per iteration, as fast as it can: the worst case for the readers) and counts no items.
#include <seqlock.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>

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

template <class Box>
void BM_Read(benchmark::State& state) {
  const bool with_writer = state.range(0) != 0;
  if (state.thread_index() == 0) box<Box> = std::make_unique<Box>();
  if (with_writer && state.thread_index() == 0) {
    std::int64_t k = 0;
    for (auto _ : state) box<Box>->write(quote(++k));
    return;
  }
  std::int64_t torn = 0;
  for (auto _ : state) {
    const lab::Quote q = box<Box>->read();
    torn += whole(q) || q == lab::Quote{} ? 0 : 1;
    benchmark::DoNotOptimize(q);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["torn"] = static_cast<double>(torn);
}

void Args(benchmark::internal::Benchmark* b) {
  b->ArgName("writer")->UseRealTime();
}

BENCHMARK(BM_Read<lab::QuoteSeqlock>)->Name("BM_Seqlock")->Apply(Args)->Arg(0)->Threads(1)->Threads(2);
BENCHMARK(BM_Read<lab::QuoteSeqlock>)->Name("BM_Seqlock")->Apply(Args)->Arg(1)->Threads(2)->Threads(3);
BENCHMARK(BM_Read<SharedMutexQuote>)->Name("BM_SharedMutex")->Apply(Args)->Arg(0)->Threads(1)->Threads(2);
BENCHMARK(BM_Read<SharedMutexQuote>)->Name("BM_SharedMutex")->Apply(Args)->Arg(1)->Threads(2)->Threads(3);
BENCHMARK(BM_Read<MutexQuote>)->Name("BM_Mutex")->Apply(Args)->Arg(0)->Threads(1)->Threads(2);
BENCHMARK(BM_Read<MutexQuote>)->Name("BM_Mutex")->Apply(Args)->Arg(1)->Threads(2)->Threads(3);

}  // namespace
