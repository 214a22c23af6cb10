// conclab::run_threads: start `n` threads through a StartGate, run `body(i)` on each, join them all,
// and rethrow the first exception any of them threw (so a failing helper fails the test, not the process).
//
//   conclab::run_threads(4, [&](int i) { counter.add(i); });
//
// Returns only after every thread has finished; everything the threads did happens-before the return.
#pragma once

#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "conclab/start_gate.hpp"

namespace conclab {

inline void run_threads(int n, const std::function<void(int)>& body) {
  StartGate gate(n);
  std::mutex mu;
  std::exception_ptr first_error;  // guarded by mu
  std::vector<std::jthread> threads;
  threads.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      gate.arrive_and_wait();
      try {
        body(i);
      } catch (...) {
        std::lock_guard lock(mu);
        if (!first_error) first_error = std::current_exception();
      }
    });
  }
  gate.open();
  threads.clear();  // jthread joins on destruction
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace conclab
