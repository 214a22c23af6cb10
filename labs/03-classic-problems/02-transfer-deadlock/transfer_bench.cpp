// Benchmark for lab 03.02: transfers per second between random pairs of 1'024 accounts, from 1, 2 and 4 threads,
// with one mutex per account (lab::transfer) against one mutex for the whole bank (BM_OneGlobalMutex, written
// here as the baseline). `./conclab bench 03.02` runs it against each version.
//
//   items_per_second  transfers per second of wall-clock time, all threads together: the headline
//
// With 1'024 accounts two random transfers rarely share an account, so per-account locks let them run at the same
// time, while one global mutex makes every transfer queue behind every other. Whether that wins depends on the
// machine: each per-account transfer takes two locks on two cache lines the other core may have written last, and
// on the course's 2-core machine the global mutex was faster (the lesson has the figures). The money always moves from the
// lower-numbered account of the pair to the higher one: that keeps even the naive version (argument order) from
// deadlocking here, since every transfer then locks the lower id first. This measures speed, not safety.
#include <transfer.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace {

constexpr int kAccounts = 1'024;
constexpr lab::Money kOpening = 1'000'000'000'000;  // never runs out within a benchmark run

// Shared by the benchmark threads of one run; thread 0 builds it before the timed loops start (Google Benchmark
// holds every thread at a barrier until then).
std::vector<std::unique_ptr<lab::Account>> accounts;

// The pair for one transfer, from a per-thread generator: from < to.
std::pair<int, int> next_pair(std::uint64_t& seed) {
  seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  const int a = static_cast<int>((seed >> 33) % kAccounts);
  const int b = (a + 1 + static_cast<int>((seed >> 13) % (kAccounts - 1))) % kAccounts;
  return a < b ? std::pair{a, b} : std::pair{b, a};
}

void BM_Transfer(benchmark::State& state) {
  if (state.thread_index() == 0) {
    accounts.clear();
    for (int i = 0; i < kAccounts; ++i) accounts.push_back(std::make_unique<lab::Account>(i + 1, kOpening));
  }
  std::uint64_t seed = 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(state.thread_index() + 1);
  for (auto _ : state) {
    const auto [from, to] = next_pair(seed);
    lab::transfer(*accounts[from], *accounts[to], 1);
  }
  state.SetItemsProcessed(state.iterations());
}

// The baseline: the same transfers, every one under a single mutex for the whole bank.
std::mutex bank_mu;
std::vector<lab::Money> balances(kAccounts, kOpening);  // guarded by bank_mu

void BM_OneGlobalMutex(benchmark::State& state) {
  std::uint64_t seed = 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(state.thread_index() + 1);
  for (auto _ : state) {
    const auto [from, to] = next_pair(seed);
    std::lock_guard lock(bank_mu);
    if (balances[from] < 1) throw lab::InsufficientFunds();
    balances[from] -= 1;
    balances[to] += 1;
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_Transfer)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK(BM_OneGlobalMutex)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

}  // namespace
