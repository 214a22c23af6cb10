// Benchmark for lab 01.02: transfers per second between random accounts, from 1, 2, 4 and 8 threads.
// The same file is built against each implementation (bench_01_02_learner, _naive, _improved, _final);
// `./conclab bench 01.02` runs them side by side.
//
//   items_per_second  successful transfers per second of wall-clock time, all threads together
//
// 64 accounts with balances far larger than all transfers together, so every transfer succeeds and
// the benchmark measures locking, not refusals. With one lock for the whole bank (improved), every
// transfer waits for every other: adding threads cannot help. With one lock per account (final), two
// transfers wait for each other only when they share an account (about 1 pair in 16 here), so they
// can run on different cores at once; but each transfer now takes two locks instead of one, and the
// critical section is only a few instructions, so on a machine with few cores the single lock can
// still come out ahead. That trade-off is the point: measure it. naive locks twice per transfer, and
// is wrong.
#include <bank.hpp>

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

namespace {

constexpr std::size_t kAccounts = 64;

// Shared by the benchmark threads of one run. Thread 0 replaces it before its timed loop; Google
// Benchmark starts the timed loops of all threads together, at a barrier, after that.
std::unique_ptr<lab::Bank> bank;

void BM_Transfer(benchmark::State& state) {
  if (state.thread_index() == 0) {
    bank = std::make_unique<lab::Bank>(std::vector<lab::Money>(kAccounts, lab::Money{1} << 40));
  }
  // xorshift32, seeded per thread: cheap, and the same sequence every run.
  std::uint32_t x = 2'463'534'242u + static_cast<std::uint32_t>(state.thread_index()) * 7919u;
  std::int64_t refused = 0;
  for (auto _ : state) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    const lab::AccountId from = x % kAccounts;
    lab::AccountId to = (x >> 8) % kAccounts;
    if (to == from) to = (to + 1) % kAccounts;
    if (!bank->transfer(from, to, 1)) ++refused;
  }
  state.SetItemsProcessed(state.iterations() - refused);
}

BENCHMARK(BM_Transfer)->Threads(1)->Threads(2)->Threads(4)->Threads(8)->UseRealTime();

}  // namespace
