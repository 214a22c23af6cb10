// conclab::StartGate: hold N threads at a line and release them together.
//
// Threads that start one after another rarely overlap: thread 1 may finish before thread 2 is even
// created, and a race never shows. A start gate makes them overlap on purpose:
//
//   conclab::StartGate gate(kThreads);
//   for (...) workers.emplace_back([&] { gate.arrive_and_wait(); work(); });
//   gate.open();   // returns once all kThreads have arrived, after releasing them at once
//
// Contract: exactly `count` arrivals (arrive_and_wait(), or arrive_without_waiting() for workers that never
// started), one open(). Everything a thread did before
// arrive_and_wait() happens-before open() returns; open() happens-before every arrive_and_wait() returns.
#pragma once

#include <cstddef>
#include <latch>

namespace conclab {

class StartGate {
 public:
  explicit StartGate(std::ptrdiff_t count) : arrived_(count), go_(1) {}
  StartGate(const StartGate&) = delete;
  StartGate& operator=(const StartGate&) = delete;

  // Called by each worker: announce arrival, then block until open().
  void arrive_and_wait() {
    arrived_.count_down();
    go_.wait();
  }

  // Called by the coordinator in place of workers that never started (creating a thread failed): counts them as
  // arrived, so that open() can release the ones that did start.
  void arrive_without_waiting(std::ptrdiff_t missing) { arrived_.count_down(missing); }

  // Called by the coordinator: wait until every worker has arrived, then release them all.
  void open() {
    arrived_.wait();
    go_.count_down();
  }

 private:
  std::latch arrived_;  // counts workers at the line
  std::latch go_;       // the gate itself: 1 until open()
};

}  // namespace conclab
