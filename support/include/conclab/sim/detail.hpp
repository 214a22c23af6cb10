// The scheduler's interface to the instrumented primitives (conclab/sim/primitives.hpp). Not for tests or labs.
#pragma once

#include <cstdint>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "conclab/sim/sim.hpp"

namespace conclab::sim::detail {

// The caller's file and line, as a default argument: `void f(SourceLoc loc = SourceLoc::current())`.
// (std::source_location, but clang 14 with libstdc++ has no std::source_location.)
struct SourceLoc {
  const char* file = nullptr;
  unsigned line = 0;
  static constexpr SourceLoc current(const char* file = __builtin_FILE(), unsigned line = __builtin_LINE()) noexcept {
    return SourceLoc{file, line};
  }
};

// Where an operation was called: a source location when the caller could pass one (a named member function),
// else the return address of an operator, turned into file:line only when a schedule is printed.
struct Where {
  SourceLoc loc;
  const void* return_address = nullptr;
};
#define CONCLAB_SIM_RETURN_ADDRESS() (::conclab::sim::detail::Where{{}, __builtin_return_address(0)})

// Fibers blocked on one primitive, in the order they blocked.
struct WaitQueue {
  std::vector<int> fibers;
};

// A point where the scheduler may switch fibers, just before the calling fiber performs `op`. The step is
// recorded in the trace as `op`, with `where`; note() adds what came of it ("-> 3", "-> waits").
void point(const char* op, const Where& where);
void note(const std::string& result);

// Blocks the calling fiber on `queue` until wake_one/wake_all picks it (true) or, when `deadline_ns` is not
// negative, until the simulated clock reaches it (false). `what` says what it waits for, for deadlock reports;
// `needs_notify` marks a wait that only a notify can end (a lost wakeup when nobody is left to send it).
bool block(WaitQueue& queue, std::string what, bool needs_notify, std::int64_t deadline_ns = -1);
// Wakes the fiber the explorer picks among the waiters (a choice when there are several): its id, or -1 if none.
int wake_one(WaitQueue& queue);
int wake_all(WaitQueue& queue);  // how many it woke

// While one lives, point() records its step but never switches: for what the standard makes one atomic step
// (a condition variable's wait releases the mutex and starts waiting at once).
// With `quiet`, the steps inside are not recorded either (a lock released inside a wait is part of the wait).
class NoSwitch {
 public:
  explicit NoSwitch(bool quiet = false);
  ~NoSwitch();
  NoSwitch(const NoSwitch&) = delete;
  NoSwitch& operator=(const NoSwitch&) = delete;

 private:
  bool quiet_;
};

// While one lives, the calling fiber's steps are attributed to `where` (a lock taken inside std::lock is shown
// at the scoped_lock that called it, not inside the standard library).
class ScopedWhere {
 public:
  explicit ScopedWhere(const Where& where);
  ~ScopedWhere();
  ScopedWhere(const ScopedWhere&) = delete;
  ScopedWhere& operator=(const ScopedWhere&) = delete;

 private:
  bool had_;
};

// A choice among `n` outcomes the standard allows; outcome 0 is the ordinary one. With `costs_preemption`,
// anything but 0 uses one preemption of the bound (and is not offered when none is left).
int choose(int n, bool costs_preemption);
bool spurious_enabled();

// The current schedule fails: the run stops at the next point (or right away, from a fiber).
[[noreturn]] void fail(Outcome outcome, const std::string& message);

// Threads: start a fiber running fn (it is runnable right away); join blocks until it finishes.
int spawn(std::function<void()> fn);
void join(int fiber);
bool finished(int fiber);
int current();

// The locks a fiber holds (shown by `conclab play`): a mutex reports each acquire and release, with the place of
// the operation that acquired it.
void note_held(const void* lock, bool held);

// Spinning: a fiber that loads what it loaded last time with no write in between, or yields, makes no progress
// until another fiber writes: the scheduler runs it only when nobody else can run.
void note_load(const void* location);
void note_write();
void note_yield();

// ---- Memory model: happens-before as vector clocks, and a history of stores per atomic location. ----
//
// A load may read any store of its location that the C++ memory model allows it to see: not older than what its
// thread has already seen there (coherence), not older than a store that happens-before it; the latest store is
// the ordinary outcome, each older one a deviation the explorer tries (costing one preemption of the bound).
// A relaxed or release store may likewise take an earlier place in the location's modification order. Acquire
// reads of a release store (or of a release sequence of read-modify-writes after it) and fences make
// happens-before; seq_cst operations and fences also follow one total order (modelled as a global clock that
// every seq_cst operation joins, which is a little stronger than C++ requires: it can hide a bug, never invent one).
// Load buffering (a load reading a store that another thread makes later in the schedule, which C++ allows when
// nothing orders that store after the load): one relaxed or acquire load per schedule may read early a value that
// an earlier schedule stored there; the schedule counts only if a later store provides it (speculate() below).

using VectorClock = std::vector<std::uint32_t>;

// Something whose release is acquired by another thread: a mutex, a semaphore, a latch, a stop state, a thread's end.
struct SyncClock {
  VectorClock clock;
};
void release_to(SyncClock& sync);          // sync.clock joins the calling fiber's clock
void acquire_from(const SyncClock& sync);  // the calling fiber's clock joins sync.clock

struct StoreRecord {
  std::uint64_t id = 0;
  int fiber = -1;              // -1: the initial value, which happens-before everything
  std::uint32_t epoch = 0;     // the storing fiber's own clock entry at the store
  std::shared_ptr<const VectorClock> sync;  // what an acquire read of this store acquires (release, fences, RMW chain)
  bool seq_cst = false;
  bool rmw = false;
  // The loads that read it: (fiber, that fiber's own clock entry at the load). A load or store that such a read
  // happens-before may not take an older place in the modification order (read-read and read-write coherence).
  std::vector<std::pair<int, std::uint32_t>> reads;
};

// One atomic object's modification order, oldest first. The atomic keeps the values in a parallel vector.
struct Location {
  std::vector<StoreRecord> stores;
  std::uint64_t next_id = 0;
  int ordinal = -1;  // the how-many-th location the schedule made: names it across schedules (load buffering)
  std::uint64_t sc_floor = 0;  // the store a seq_cst load last read here (id): later seq_cst loads read it or newer
  Location();  // with the initial store
};

// A load: the index of the store to read (a choice among those allowed), with its effects on the thread's views
// and clock already applied. `latest_only`: no older store (atomic::wait's re-check, a CAS that must see the last).
std::size_t atomic_load(Location& loc, std::memory_order order, bool latest_only = false);
// A store: the index at which it enters the modification order (the atomic inserts its value there).
std::size_t atomic_store(Location& loc, std::memory_order order);
// A read-modify-write: reads the last store (its index is returned) and appends its own right after it.
std::size_t atomic_rmw(Location& loc, std::memory_order order);
void atomic_fence(std::memory_order order);
// Load buffering: before a relaxed or acquire load, the explorer may choose to have it read a value that another
// thread stores only later in the schedule (the C++ model allows it when nothing orders that store after the
// load). Returns the value's bytes, or nullptr for an ordinary load. The schedule counts only if such a store
// comes: until then the loading thread may not touch the location again, and it may not end.
const std::string* speculate(Location& loc, std::memory_order order, std::size_t size);
// Every store and read-modify-write reports the value it put at `index` of the modification order.
void stored(Location& loc, std::size_t index, const void* value, std::size_t size);

// A primitive's proof of life: set by its constructor, cleared by its destructor, checked by every operation, so
// that a notify (or an unlock, a release...) on an object its owner has already destroyed fails the schedule
// instead of passing silently. (A destroyed object's memory is not ours to read; the explorer runs the program on
// one thread at -O0, where it is still there, and a stale value can only make it report, never hide, a use.)
class Alive {
 public:
  constexpr Alive() noexcept : magic_(kMagic) {}
  ~Alive() { magic_ = 0; }
  Alive(const Alive&) = delete;
  Alive& operator=(const Alive&) = delete;
  void check(const char* what) const {
    if (magic_ != kMagic) {
      fail(Outcome::kFailed, std::string("T") + std::to_string(current()) + " used " + what +
                                 " after it was destroyed (its owner destroyed it while this thread could still reach it: "
                                 "a use after free in a real program)");
    }
  }

 private:
  static constexpr std::uint64_t kMagic = 0x5eed'a11e'0f5e'ed01ULL;
  volatile std::uint64_t magic_;
};

// ---- Data races on plain data a lab declares through conclab::sync::shared<T> ----
//
// Each access is checked against the last write and the reads since, by happens-before (the vector clocks
// above): two accesses of which one writes, with neither happening before the other, are a data race, found on
// the schedule where both happen, whichever order they ran in.
struct RaceState {
  struct Access {
    int fiber = -1;
    std::uint32_t epoch = 0;
    Where where;
  };
  Access last_write;
  std::vector<Access> reads;  // since the last write, one per fiber at most
};
void check_read(RaceState& state, const char* what, const Where& where);
void check_write(RaceState& state, const char* what, const Where& where);

// Plain memory (the sim tree compiles the programs under test with ThreadSanitizer's instrumentation, answered by
// src/sim/plain.cpp): the calling function's accesses, and those of everything it calls, are not the program's
// until it returns (a test framework's bookkeeping on the explorer's fibers). conclab::sync operations get this
// from point().
void unchecked_until_return();

// The simulated clock, in nanoseconds since the run began.
std::int64_t now_ns();
// Blocks the calling fiber until the simulated clock reaches `deadline_ns`.
void sleep_until_ns(std::int64_t deadline_ns);

// A readable value for a trace: numbers, bools and pointers as themselves, anything else as "...".
template <class T>
std::string show(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_integral_v<T> || std::is_floating_point_v<T>) {
    return std::to_string(v);
  } else if constexpr (std::is_pointer_v<T>) {
    return v == nullptr ? "nullptr" : "a pointer";
  } else if constexpr (std::is_enum_v<T>) {
    return std::to_string(static_cast<std::underlying_type_t<T>>(v));
  } else {
    return "...";
  }
}

}  // namespace conclab::sim::detail
