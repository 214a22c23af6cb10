// What the C++ memory model allows for a litmus test: the explorer (conclab::sim) runs it on every schedule it
// can within the test's preemption bound, letting each load read any store the model allows it to (stale reads,
// reads of later stores), and collects the outcomes. This file is compiled with CONCLAB_SIM, so conclab/sync.hpp
// names the explorer's atomics; it is the CLI's only such file.
#include <stdexcept>
#include <string>

#include "conclab/sim/sim.hpp"
#include "conclab/sync.hpp"
#include "litmus/litmus.hpp"

#ifndef CONCLAB_SIM
#error "litmus/model.cpp must be compiled with CONCLAB_SIM (tools/conclab/CMakeLists.txt)"
#endif

namespace conclab::litmus {

namespace {

namespace sim = conclab::sim;

struct SimMem {
  static void fence() { conclab::sync::atomic_thread_fence(std::memory_order_seq_cst); }
};
using SimAtomic = conclab::sync::atomic<int>;

template <class T, Order O>
std::set<Outcome> enumerate(const TestInfo& info, int preemptions) {
  std::set<Outcome> seen;
  const auto actors = T::template actors<O, SimMem, SimAtomic>();
  sim::Options options;
  options.preemptions = preemptions;
  options.spurious = false;  // no CAS or waits in a litmus test
  options.max_schedules = 5'000'000;
  const sim::Result r = sim::explore(
      [&] {
        Vars<SimAtomic> v;
        int regs[kMaxRegisters] = {-1, -1, -1, -1};
        {
          std::vector<conclab::sync::jthread> threads;
          threads.reserve(actors.size());
          for (auto actor : actors) threads.emplace_back([&v, &regs, actor] { actor(v, regs); });
        }  // joined
        Outcome out;
        for (int i = 0; i < info.registers; ++i) out.push_back(regs[i]);
        if (T::kFinals) {
          out.push_back(v.x.load(std::memory_order_relaxed));
          out.push_back(v.y.load(std::memory_order_relaxed));
        }
        seen.insert(out);
      },
      options);
  if (!r.passed() || !r.exhausted) {
    throw std::runtime_error("the explorer did not finish " + std::string(T::kName) + ": " + r.report());
  }
  return seen;
}

}  // namespace

std::set<Outcome> model_outcomes(std::size_t test, Order o) {
  std::set<Outcome> out;
  const int bound = model_preemptions(test);
  with_test(test, [&]<class T>() { with_order(o, [&]<Order O>() { out = enumerate<T, O>(tests().at(test), bound); }); });
  return out;
}

}  // namespace conclab::litmus
