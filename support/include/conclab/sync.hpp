// conclab::sync: the threads, locks, condition variables and atomics every lab uses, with std's names and
// semantics.
//
//   #include <conclab/sync.hpp>
//   namespace lab {
//   namespace sync = conclab::sync;   // inside your namespace: at global scope POSIX's sync() has the name
//   sync::mutex mu_;  sync::condition_variable cv_;  sync::atomic<int> n_{0};  sync::jthread worker([&] {...});
//   }
//
// In the ordinary and ThreadSanitizer builds they *are* std's (aliases: no cost, and ThreadSanitizer sees the
// real thing). In the sim build (CONCLAB_SIM defined) they are conclab::sim's instrumented versions, run on
// fibers by a scheduler that tries the interleavings itself (conclab/sim/sim.hpp): the same code, tested
// against every schedule up to a bound instead of the few a stress test happens to hit.
//
// Also here: sync::steady_clock (the simulated clock in the sim build), sync::this_thread, and sync::shared<T>, a
// plain variable the explorer checks for data races.
#pragma once

#include <atomic>
#include <barrier>
#include <chrono>
#include <condition_variable>
#include <future>
#include <latch>
#include <mutex>
#include <semaphore>
#include <shared_mutex>
#include <stop_token>
#include <thread>
#include <utility>

#if defined(CONCLAB_SIM)
#include "conclab/sim/primitives.hpp"
#endif

namespace conclab::sync {

#if defined(CONCLAB_SIM)

using sim::atomic;
using sim::atomic_flag;
using sim::atomic_thread_fence;
using sim::barrier;
using sim::binary_semaphore;
using sim::condition_variable;
using sim::condition_variable_any;
using sim::counting_semaphore;
using sim::jthread;
using sim::latch;
using sim::lock_guard;
using sim::mutex;
using sim::future;
using sim::nostopstate;
using sim::promise;
using sim::shared_future;
using sim::scoped_lock;
using sim::shared;
using sim::shared_lock;
using sim::shared_mutex;
using sim::steady_clock;
using sim::stop_callback;
using sim::stop_source;
using sim::stop_token;
using sim::thread;
using sim::unique_lock;
namespace this_thread = sim::this_thread;
inline constexpr bool kSimulated = true;

#else

using std::atomic;
using std::atomic_flag;
using std::atomic_thread_fence;
using std::barrier;
using std::binary_semaphore;
using std::condition_variable;
using std::condition_variable_any;
using std::counting_semaphore;
using std::jthread;
using std::latch;
using std::lock_guard;
using std::mutex;
using std::future;
using std::nostopstate;
using std::promise;
using std::shared_future;
using std::scoped_lock;
using std::shared_lock;
using std::shared_mutex;
using std::stop_callback;
using std::stop_source;
using std::stop_token;
using std::thread;
using std::unique_lock;
using steady_clock = std::chrono::steady_clock;
namespace this_thread = std::this_thread;
inline constexpr bool kSimulated = false;

// A plain variable shared between threads: in the sim build the explorer checks every access for data races by
// happens-before; here it is the variable itself, and ThreadSanitizer checks it.
template <class T>
class shared {
 public:
  shared() = default;
  explicit shared(T v) : v_(std::move(v)) {}
  shared(const shared&) = delete;
  shared& operator=(const shared&) = delete;
  const T& read() const { return v_; }
  void write(T v) { v_ = std::move(v); }
  T& mutate() { return v_; }

 private:
  T v_{};
};

#endif

}  // namespace conclab::sync
