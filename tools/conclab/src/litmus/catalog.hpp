// The litmus tests of `conclab litmus`, written once as types and run twice: by the explorer (model.cpp, where
// the atomics are conclab::sim's and every schedule, stale read and early read is tried) and on this machine's
// cores (machine.cpp, std::atomic on pinned threads). Each test is a list of threads, each thread a list of
// steps; the same list prints the code the learner reads, so what is shown is what runs.
//
//   struct SB : Test<"SB", Thread<St<kX, 1>, Ld<0, kY>>, Thread<St<kY, 1>, Ld<1, kX>>> {...};
//
// The memory order is a template argument all the way down: g++ treats an order it cannot see at compile time
// as seq_cst (modules/00-foundations/04-the-hardware.md measured that), and a harness that did so would never
// show a relaxed outcome.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace conclab::litmus {

// The orders a test can be run with. kFence: every access relaxed, and a seq_cst fence between a thread's
// consecutive accesses.
enum class Order { kRelaxed, kAcqRel, kSeqCst, kFence };
inline constexpr std::array<Order, 4> kOrders = {Order::kRelaxed, Order::kAcqRel, Order::kSeqCst, Order::kFence};

constexpr std::string_view order_name(Order o) {
  switch (o) {
    case Order::kRelaxed: return "relaxed";
    case Order::kAcqRel: return "acq-rel";
    case Order::kSeqCst: return "seq-cst";
    case Order::kFence: return "fence";
  }
  return "?";
}

template <Order O>
inline constexpr std::memory_order kStoreOrder = O == Order::kAcqRel  ? std::memory_order_release
                                                 : O == Order::kSeqCst ? std::memory_order_seq_cst
                                                                       : std::memory_order_relaxed;
template <Order O>
inline constexpr std::memory_order kLoadOrder = O == Order::kAcqRel  ? std::memory_order_acquire
                                                : O == Order::kSeqCst ? std::memory_order_seq_cst
                                                                      : std::memory_order_relaxed;

inline constexpr int kX = 0;  // the two shared locations every test uses (its own names for them in TestInfo)
inline constexpr int kY = 1;
inline constexpr int kMaxRegisters = 4;
inline constexpr int kMaxThreads = 4;

template <int Loc, int Value>
struct St {};  // loc = Value
template <int Reg, int Loc>
struct Ld {};  // r<Reg> = loc

template <class... Steps>
struct Thread {};

// The shared state of one run: two atomics, each on its own cache line (the machine's version; the explorer's
// has no cache lines, and ignores the alignment).
template <class Atomic>
struct Vars {
  alignas(64) Atomic x{0};
  alignas(64) Atomic y{0};
  Atomic& at(int loc) { return loc == kX ? x : y; }
};

// What a test is, for printing and for the tables.
struct TestInfo {
  std::string_view name;         // as typed: SB
  std::string_view title;        // store buffering
  std::array<std::string_view, 2> locations;  // names of kX and kY in the printed code
  std::string_view question;     // what the interesting outcome would mean
  bool finals = false;           // the outcome includes both locations' final values (2+2W)
  std::vector<std::string> code(Order o) const;                 // one line per thread
  std::vector<std::string> outcome_names() const;               // r0, r1, ..., then the locations if finals
  std::vector<std::vector<int>> domains() const;                // the values each outcome component can take
  int threads = 0;
  int registers = 0;
  // Each thread's steps, flattened: {kind, a, b} with kind 0 = store (loc a = b), 1 = load (r a = loc b).
  std::vector<std::vector<std::array<int, 3>>> program;
};

namespace detail {

template <class Step>
struct StepInfo;
template <int L, int V>
struct StepInfo<St<L, V>> {
  static constexpr std::array<int, 3> value{0, L, V};
};
template <int R, int L>
struct StepInfo<Ld<R, L>> {
  static constexpr std::array<int, 3> value{1, R, L};
};

template <class T>
struct ThreadInfo;
template <class... Steps>
struct ThreadInfo<Thread<Steps...>> {
  static std::vector<std::array<int, 3>> program() { return {StepInfo<Steps>::value...}; }
};

// One step, run with order O on the atomics of Mem (Mem::fence() is a seq_cst fence there).
template <Order O, class Mem, class A, int L, int V>
inline void step(St<L, V>, Vars<A>& v, int*) {
  v.at(L).store(V, kStoreOrder<O>);
}
template <Order O, class Mem, class A, int R, int L>
inline void step(Ld<R, L>, Vars<A>& v, int* regs) {
  regs[R] = v.at(L).load(kLoadOrder<O>);
}
template <Order O, class Mem>
inline void between() {
  if constexpr (O == Order::kFence) Mem::fence();
}

template <Order O, class Mem, class A, class First, class... Rest>
void run_steps(Vars<A>& v, int* regs) {
  step<O, Mem>(First{}, v, regs);
  ((between<O, Mem>(), step<O, Mem>(Rest{}, v, regs)), ...);
}

template <Order O, class Mem, class A, class T>
struct ThreadRunner;
template <Order O, class Mem, class A, class... Steps>
struct ThreadRunner<O, Mem, A, Thread<Steps...>> {
  static void run(Vars<A>& v, int* regs) { run_steps<O, Mem, A, Steps...>(v, regs); }
};

}  // namespace detail

// A test: its threads as types. Derived types add `static constexpr` names (see the catalogue below).
template <class... Threads>
struct Test {
  static constexpr int kThreads = sizeof...(Threads);

  static std::vector<std::vector<std::array<int, 3>>> program() { return {detail::ThreadInfo<Threads>::program()...}; }

  // Each thread of the test with order O, on atomics of type A (Mem::fence() is the seq_cst fence there).
  template <class A>
  using Actor = void (*)(Vars<A>&, int*);
  template <Order O, class Mem, class A>
  static constexpr std::array<Actor<A>, kThreads> actors() {
    return {&detail::ThreadRunner<O, Mem, A, Threads>::run...};
  }
};

// The catalogue. Register numbers are per test; r<i> is written by one thread only.
struct SB : Test<Thread<St<kX, 1>, Ld<0, kY>>, Thread<St<kY, 1>, Ld<1, kX>>> {
  static constexpr std::string_view kName = "SB", kTitle = "store buffering", kX_ = "x", kY_ = "y";
  static constexpr std::string_view kQuestion = "r0=0 r1=0: each thread's load ran before the other thread's store was visible";
  static constexpr bool kFinals = false;
};
struct MP : Test<Thread<St<kX, 1>, St<kY, 1>>, Thread<Ld<0, kY>, Ld<1, kX>>> {
  static constexpr std::string_view kName = "MP", kTitle = "message passing", kX_ = "data", kY_ = "flag";
  static constexpr std::string_view kQuestion = "r0=1 r1=0: the reader saw the flag but not the data written before it";
  static constexpr bool kFinals = false;
};
struct LB : Test<Thread<Ld<0, kX>, St<kY, 1>>, Thread<Ld<1, kY>, St<kX, 1>>> {
  static constexpr std::string_view kName = "LB", kTitle = "load buffering", kX_ = "x", kY_ = "y";
  static constexpr std::string_view kQuestion = "r0=1 r1=1: each load read a store that comes after the other load in its thread";
  static constexpr bool kFinals = false;
};
struct IRIW : Test<Thread<St<kX, 1>>, Thread<St<kY, 1>>, Thread<Ld<0, kX>, Ld<1, kY>>, Thread<Ld<2, kY>, Ld<3, kX>>> {
  static constexpr std::string_view kName = "IRIW", kTitle = "independent reads of independent writes", kX_ = "x", kY_ = "y";
  static constexpr std::string_view kQuestion = "r0=1 r1=0 r2=1 r3=0: the two readers saw the two writes in opposite orders";
  static constexpr bool kFinals = false;
};
struct TwoPlusTwoW : Test<Thread<St<kX, 1>, St<kY, 2>>, Thread<St<kY, 1>, St<kX, 2>>> {
  static constexpr std::string_view kName = "2+2W", kTitle = "two plus two writes", kX_ = "x", kY_ = "y";
  static constexpr std::string_view kQuestion = "x=1 y=1: each thread's first store ended up last, as if both threads' stores were reordered";
  static constexpr bool kFinals = true;
};
struct WRC : Test<Thread<St<kX, 1>>, Thread<Ld<0, kX>, St<kY, 1>>, Thread<Ld<1, kY>, Ld<2, kX>>> {
  static constexpr std::string_view kName = "WRC", kTitle = "write-to-read causality", kX_ = "x", kY_ = "y";
  static constexpr std::string_view kQuestion = "r0=1 r1=1 r2=0: thread 2 saw thread 1's store, which came after thread 1 saw x=1, yet not x=1";
  static constexpr bool kFinals = false;
};
struct CoRR : Test<Thread<St<kX, 1>>, Thread<Ld<0, kX>, Ld<1, kX>>> {
  static constexpr std::string_view kName = "CoRR", kTitle = "coherence of two reads", kX_ = "x", kY_ = "y";
  static constexpr std::string_view kQuestion = "r0=1 r1=0: a later read of x went back to an older value";
  static constexpr bool kFinals = false;
};

using Catalogue = std::tuple<SB, MP, LB, IRIW, TwoPlusTwoW, WRC, CoRR>;
inline constexpr std::size_t kTestCount = std::tuple_size_v<Catalogue>;

template <class T>
TestInfo info_of() {
  TestInfo info;
  info.name = T::kName;
  info.title = T::kTitle;
  info.locations = {T::kX_, T::kY_};
  info.question = T::kQuestion;
  info.finals = T::kFinals;
  info.program = T::program();
  info.threads = T::kThreads;
  for (const auto& thread : info.program) {
    for (const auto& s : thread) {
      if (s[0] == 1) info.registers = std::max(info.registers, s[1] + 1);
    }
  }
  return info;
}

// Every test's facts, in catalogue order.
const std::vector<TestInfo>& tests();

// Calls f.template operator()<T>() for the test at `index` in the catalogue.
template <class F, std::size_t I = 0>
void with_test(std::size_t index, F&& f) {
  if constexpr (I < kTestCount) {
    if (index == I) {
      f.template operator()<std::tuple_element_t<I, Catalogue>>();
    } else {
      with_test<F, I + 1>(index, std::forward<F>(f));
    }
  }
}

// Calls f.template operator()<O>() for the run-time order o.
template <class F>
void with_order(Order o, F&& f) {
  switch (o) {
    case Order::kRelaxed: f.template operator()<Order::kRelaxed>(); break;
    case Order::kAcqRel: f.template operator()<Order::kAcqRel>(); break;
    case Order::kSeqCst: f.template operator()<Order::kSeqCst>(); break;
    case Order::kFence: f.template operator()<Order::kFence>(); break;
  }
}

}  // namespace conclab::litmus
