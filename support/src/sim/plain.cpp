// The explorer's plain-memory checker: data races on ordinary variables, found by happens-before on every schedule.
//
// The sim tree compiles the labs' test programs with clang's ThreadSanitizer instrumentation (-fsanitize=thread)
// but links them without ThreadSanitizer's runtime: every load and store the compiler emits calls __tsan_readN /
// __tsan_writeN, and this file answers those calls. On the explorer's fibers each access is checked against the
// earlier accesses of its 8-byte cell by the fibers' vector clocks (the scheduler's): two accesses of one byte by
// two threads, one of them a write, with neither happening before the other, fail the schedule, with both places
// named. A race is found on the first schedule where both accesses happen, whichever order they ran in, so the
// verdict does not depend on luck (ThreadSanitizer's does: it sees the one interleaving the machine ran, and can
// forget an access when its shadow slots are reused).
//
// What is not the program's is not checked: a conclab::sync operation's own bookkeeping (from the operation's
// point to its return, tracked through the instrumentation's function entry/exit calls), code outside explore(),
// and any OS thread but the explorer's. Memory returned by operator delete is forgotten, so a new object at a
// reused address starts clean. This file is compiled without the instrumentation.
#include <link.h>
#include <malloc.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "internal.hpp"

namespace conclab::sim::detail::internal {
namespace {

constexpr std::size_t kSlots = 4;   // accesses remembered per cell (as ThreadSanitizer: the most recent ones)
constexpr std::size_t kFrames = 8;  // code addresses kept per access: the access and seven callers

struct Access {
  int fiber = -1;
  std::uint32_t epoch = 0;
  std::uint8_t mask = 0;  // which bytes of the cell
  bool write = false;
  std::array<const void*, kFrames> frames{};
};

struct Cell {
  std::array<Access, kSlots> slots;
  std::size_t n = 0;
};

struct FiberState {
  std::vector<const void*> calls;  // the call sites of the instrumented functions it is in, outermost first
  std::size_t unchecked_from = SIZE_MAX;  // inside an operation entered at this depth: not the program's accesses
  // A spin on plain memory (`while (!ready_) {}`): the same few reads (the flag, and the reference or `this` it is
  // reached through) over and over, with no write and no conclab::sync operation between. Plain accesses are not
  // switch points, so without this the spinner would run forever and the thread that should set the flag would
  // never get a step.
  std::array<std::pair<const void*, const void*>, 4> spin_reads_seen{};  // (address, place) of the loop's reads
  std::size_t spin_distinct = 0;
  int spin_reads = 0;
};

// Reads in a row, of at most four places, that make a spin: far more than a loop that reads a few variables for a
// reason does without writing anything, and few enough to switch at once.
constexpr int kPlainSpinReads = 100;

struct Checker {
  std::uint64_t serial = 0;
  std::unordered_map<std::uintptr_t, Cell> cells;
  std::unordered_map<std::uintptr_t, VectorClock> atomics;  // what each address's atomic operations published
  std::vector<FiberState> fibers;
};

thread_local bool t_explorer_thread = false;
Checker* g_checker = nullptr;
bool g_busy = false;  // the checker is at work: its own allocations and frees are not the program's

struct Busy {
  Busy() { g_busy = true; }
  ~Busy() { g_busy = false; }
};

// The checker's state for the running fiber, or nullptr when nothing is checked here.
FiberState* running_state(Checker*& out) {
  if (!t_explorer_thread || g_checker == nullptr || g_busy) return nullptr;
  const int id = running_fiber_now();
  if (id < 0) return nullptr;
  Checker& c = *g_checker;
  if (const std::uint64_t s = schedule_serial_now(); s != c.serial) {
    const Busy busy;
    c.serial = s;
    c.cells.clear();
    c.atomics.clear();
    c.fibers.clear();
  }
  if (c.fibers.size() <= static_cast<std::size_t>(id)) c.fibers.resize(static_cast<std::size_t>(id) + 1);
  out = &c;
  return &c.fibers[static_cast<std::size_t>(id)];
}

bool happens_before_now(const Access& a, const VectorClock& now) {
  const auto i = static_cast<std::size_t>(a.fiber);
  return i < now.size() && now[i] > a.epoch;
}

[[noreturn]] void report(const Access& earlier, const Access& now) {
  const std::string message =
      "data race on plain memory: T" + std::to_string(earlier.fiber) + (earlier.write ? " wrote" : " read") + " it at " +
      code_place(earlier.frames.data(), kFrames) + ", and T" + std::to_string(now.fiber) + (now.write ? " writes" : " reads") +
      " it at " + code_place(now.frames.data(), kFrames) +
      ", and nothing orders the two: no lock both hold, no release/acquire pair, no join between them. Memory that "
      "threads share needs one mutex held around every access to it, or an atomic.";
  const std::string step = std::string(now.write ? "writes" : "reads") + " plain memory -> data race with T" +
                           std::to_string(earlier.fiber) + (earlier.write ? "'s write" : "'s read");
  g_busy = false;  // the fiber leaves for good: no Busy destructor will run
  fail_with_race(message, user_frame(now.frames.data(), kFrames), step);
}

void check_cell(Cell& cell, const Access& now, const VectorClock& clock) {
  for (std::size_t i = 0; i < cell.n; ++i) {
    const Access& a = cell.slots[i];
    if (a.fiber == now.fiber || (a.mask & now.mask) == 0 || !(a.write || now.write)) continue;
    if (!happens_before_now(a, clock)) report(a, now);
  }
  // Forget what this access supersedes: this fiber's own earlier accesses of these bytes (a write supersedes its
  // reads too), and for a write, every access of these bytes that happens before it.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < cell.n; ++i) {
    const Access& a = cell.slots[i];
    const bool covered = (a.mask & ~now.mask) == 0;
    const bool superseded =
        covered && ((a.fiber == now.fiber && (now.write || !a.write)) || (now.write && happens_before_now(a, clock)));
    if (!superseded) cell.slots[kept++] = a;
  }
  cell.n = kept;
  if (cell.n == kSlots) {
    for (std::size_t i = 1; i < kSlots; ++i) cell.slots[i - 1] = cell.slots[i];
    --cell.n;
  }
  cell.slots[cell.n++] = now;
}

void note_spin(FiberState& f, const void* address, bool write, const void* pc);
void check_access(Checker& checker, const FiberState& f, const void* address, std::size_t size, bool write, const void* pc);

void access(const void* address, std::size_t size, bool write, const void* pc) {
  Checker* c = nullptr;
  FiberState* f = running_state(c);
  if (f == nullptr || f->unchecked_from != SIZE_MAX || size == 0) return;
  check_access(*c, *f, address, size, write, pc);
  note_spin(*f, address, write, pc);  // after the check, with the checker idle: a spin point switches fibers
}

void check_access(Checker& checker, const FiberState& f, const void* address, std::size_t size, bool write, const void* pc) {
  const Busy busy;
  const VectorClock& clock = running_clock();
  Access now;
  now.fiber = running_fiber_now();
  now.epoch = clock[static_cast<std::size_t>(now.fiber)];
  now.write = write;
  now.frames[0] = pc;
  for (std::size_t i = 1; i < kFrames && i <= f.calls.size(); ++i) now.frames[i] = f.calls[f.calls.size() - i];
  const auto first = reinterpret_cast<std::uintptr_t>(address);
  const std::uintptr_t last = first + size - 1;
  for (std::uintptr_t cell = first >> 3; cell <= last >> 3; ++cell) {
    const std::uintptr_t lo = std::max(first, cell << 3) - (cell << 3);
    const std::uintptr_t hi = std::min(last, (cell << 3) + 7) - (cell << 3);
    now.mask = static_cast<std::uint8_t>(((1u << (hi + 1)) - 1) & ~((1u << lo) - 1));
    check_cell(checker.cells[cell], now, clock);
  }
}

// Called after each checked access, outside Busy: a spin point switches fibers, and the others' accesses must be
// checked meanwhile.
void note_spin(FiberState& f, const void* address, bool write, const void* pc) {
  if (write) {
    f.spin_distinct = 0;
    f.spin_reads = 0;
    return;
  }
  const std::pair<const void*, const void*> read{address, pc};
  const auto seen = f.spin_reads_seen.begin() + static_cast<std::ptrdiff_t>(f.spin_distinct);
  if (std::find(f.spin_reads_seen.begin(), seen, read) == seen) {
    if (f.spin_distinct == f.spin_reads_seen.size()) {  // a fifth place: a loop that walks memory, not a spin
      f.spin_distinct = 0;
      f.spin_reads = 0;
    }
    f.spin_reads_seen[f.spin_distinct++] = read;
  }
  if (++f.spin_reads < kPlainSpinReads) return;
  f.spin_distinct = 0;
  f.spin_reads = 0;
  plain_spin_point(pc);  // the others get their steps; it may never return (another fiber fails the schedule)
  // The switch ran through the scheduler's point(), which marks what follows as the operation's own: it was not.
  Checker* c = nullptr;
  if (FiberState* again = running_state(c)) again->unchecked_from = SIZE_MAX;
}

// An atomic operation the instrumentation reports (a std::atomic, a shared_ptr's count): treated as acquire and
// release both, which can hide a race of a weaker order, never invent one.
void atomic_sync(const volatile void* address) {
  Checker* c = nullptr;
  FiberState* f = running_state(c);
  if (f == nullptr || f->unchecked_from != SIZE_MAX) return;  // a sync operation's own (a static's guard): no edge
  const Busy busy;
  tick_running();
  VectorClock& sync = c->atomics[reinterpret_cast<std::uintptr_t>(address)];
  VectorClock& mine = running_clock();
  if (mine.size() < sync.size()) mine.resize(sync.size(), 0);
  for (std::size_t i = 0; i < sync.size(); ++i) mine[i] = std::max(mine[i], sync[i]);
  sync = mine;
}

// Erases the keys in [first, end) of a map keyed by address (or cell), whichever way is shorter.
template <class Map>
void erase_range(Map& map, std::uintptr_t first, std::uintptr_t end) {
  if (map.empty()) return;
  if (end - first < map.size()) {
    for (std::uintptr_t key = first; key < end; ++key) map.erase(key);
  } else {
    for (auto it = map.begin(); it != map.end();) it = (it->first >= first && it->first < end) ? map.erase(it) : std::next(it);
  }
}

// Both the accesses and the atomics' clocks: a reference count at a reused address is a new object's, and must
// not hand the next owner what the last one published (that would hide races, as a false happens-before).
void forget(void* p) {
  if (p == nullptr || !t_explorer_thread || g_checker == nullptr || g_busy) return;
  if (g_checker->cells.empty() && g_checker->atomics.empty()) return;
  const Busy busy;
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  const auto end = begin + malloc_usable_size(p);
  erase_range(g_checker->cells, begin >> 3, (end + 7) >> 3);
  erase_range(g_checker->atomics, begin, end);
}

}  // namespace

// The program's own code: the executable's executable segments. A copy that the C++ runtime makes inside its
// shared library (libstdc++ building an exception's message, say) is not the program's access, as no access of
// uninstrumented code is; the instrumented code is all in the executable.
std::uintptr_t g_program_lo = 0;
std::uintptr_t g_program_hi = 0;

int note_program_text(dl_phdr_info* info, std::size_t, void*) {
  for (int i = 0; i < info->dlpi_phnum; ++i) {  // the first object listed is the executable
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || (ph.p_flags & PF_X) == 0) continue;
    const std::uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
    if (g_program_hi == 0 || lo < g_program_lo) g_program_lo = lo;
    g_program_hi = std::max(g_program_hi, lo + ph.p_memsz);
  }
  return 1;  // stop after the executable
}

bool in_program(const void* pc) {
  const auto a = reinterpret_cast<std::uintptr_t>(pc);
  return a >= g_program_lo && a < g_program_hi;
}

void explorer_thread_begins() {
  if (g_program_hi == 0) dl_iterate_phdr(note_program_text, nullptr);
  t_explorer_thread = true;
  g_busy = false;
  g_checker = new Checker;
}

void explorer_thread_ends() {
  Checker* c = g_checker;
  g_checker = nullptr;
  t_explorer_thread = false;
  delete c;
}

void operation_begins() {
  Checker* c = nullptr;
  if (FiberState* f = running_state(c)) {
    f->unchecked_from = std::min(f->unchecked_from, f->calls.size());
    f->spin_distinct = 0;  // a conclab::sync operation between two reads: not a plain spin
    f->spin_reads = 0;
  }
}

}  // namespace conclab::sim::detail::internal

namespace conclab::sim::detail {
void unchecked_until_return() { internal::operation_begins(); }
}  // namespace conclab::sim::detail

// ---- The instrumentation's entry points (the names and signatures of ThreadSanitizer's interface). ----

namespace in = conclab::sim::detail::internal;

#define CONCLAB_RA() __builtin_return_address(0)

extern "C" {

void __tsan_init() {}

void __tsan_func_entry(void* call_site) {
  in::Checker* c = nullptr;
  if (in::FiberState* f = in::running_state(c)) {
    const in::Busy busy;
    f->calls.push_back(call_site);
  }
}

void __tsan_func_exit() {
  in::Checker* c = nullptr;
  in::FiberState* f = in::running_state(c);
  if (f == nullptr || f->calls.empty()) return;
  const in::Busy busy;
  f->calls.pop_back();
  if (f->calls.size() < f->unchecked_from) f->unchecked_from = SIZE_MAX;
}

#define CONCLAB_PLAIN(n)                                                                               \
  void __tsan_read##n(void* a) { in::access(a, n, false, CONCLAB_RA()); }                              \
  void __tsan_write##n(void* a) { in::access(a, n, true, CONCLAB_RA()); }                              \
  void __tsan_unaligned_read##n(void* a) { in::access(a, n, false, CONCLAB_RA()); }                    \
  void __tsan_unaligned_write##n(void* a) { in::access(a, n, true, CONCLAB_RA()); }
CONCLAB_PLAIN(1)
CONCLAB_PLAIN(2)
CONCLAB_PLAIN(4)
CONCLAB_PLAIN(8)
CONCLAB_PLAIN(16)
#undef CONCLAB_PLAIN

// Struct copies and std::copy of trivially copyable types: the instrumentation leaves calls to memcpy and memmove
// as they are (ThreadSanitizer's runtime intercepts them), so the sim tree's programs get these instead of libc's:
// the source is read and the destination written, as the same-sized loads and stores would be, then the bytes
// move. Only copies made by the program's own code count (in_program), and outside a running fiber or inside a
// sync operation nothing is checked (access() decides).
static void* copy_forward(void* dst, const void* src, std::size_t n) {
  auto* d = static_cast<volatile unsigned char*>(dst);
  const auto* s = static_cast<const volatile unsigned char*>(src);
  for (std::size_t i = 0; i < n; ++i) d[i] = s[i];  // volatile: never turned back into a call to memcpy
  return dst;
}
static void* copy_backward(void* dst, const void* src, std::size_t n) {
  auto* d = static_cast<volatile unsigned char*>(dst);
  const auto* s = static_cast<const volatile unsigned char*>(src);
  for (std::size_t i = n; i > 0; --i) d[i - 1] = s[i - 1];
  return dst;
}

void* memcpy(void* dst, const void* src, std::size_t n) noexcept {
  if (in::in_program(CONCLAB_RA())) {
    in::access(src, n, false, CONCLAB_RA());
    in::access(dst, n, true, CONCLAB_RA());
  }
  return copy_forward(dst, src, n);
}
void* memmove(void* dst, const void* src, std::size_t n) noexcept {
  if (in::in_program(CONCLAB_RA())) {
    in::access(src, n, false, CONCLAB_RA());
    in::access(dst, n, true, CONCLAB_RA());
  }
  const auto d = reinterpret_cast<std::uintptr_t>(dst);
  const auto sr = reinterpret_cast<std::uintptr_t>(src);
  return d > sr && d < sr + n ? copy_backward(dst, src, n) : copy_forward(dst, src, n);
}

void __tsan_read_range(void* a, unsigned long size) { in::access(a, size, false, CONCLAB_RA()); }
void __tsan_write_range(void* a, unsigned long size) { in::access(a, size, true, CONCLAB_RA()); }
void __tsan_vptr_read(void**) {}
void __tsan_vptr_update(void**, void*) {}

// Atomics: the instrumentation replaces each atomic instruction with a call, so these perform it (on one OS
// thread, so sequentially consistent is always right) after recording its synchronization.
#define CONCLAB_ATOMIC(n, T)                                                                                   \
  T __tsan_atomic##n##_load(const volatile T* a, int) { in::atomic_sync(a); return __atomic_load_n(a, __ATOMIC_SEQ_CST); } \
  void __tsan_atomic##n##_store(volatile T* a, T v, int) { in::atomic_sync(a); __atomic_store_n(a, v, __ATOMIC_SEQ_CST); } \
  T __tsan_atomic##n##_exchange(volatile T* a, T v, int) { in::atomic_sync(a); return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST); } \
  T __tsan_atomic##n##_fetch_add(volatile T* a, T v, int) { in::atomic_sync(a); return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST); } \
  T __tsan_atomic##n##_fetch_sub(volatile T* a, T v, int) { in::atomic_sync(a); return __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST); } \
  T __tsan_atomic##n##_fetch_and(volatile T* a, T v, int) { in::atomic_sync(a); return __atomic_fetch_and(a, v, __ATOMIC_SEQ_CST); } \
  T __tsan_atomic##n##_fetch_or(volatile T* a, T v, int) { in::atomic_sync(a); return __atomic_fetch_or(a, v, __ATOMIC_SEQ_CST); } \
  T __tsan_atomic##n##_fetch_xor(volatile T* a, T v, int) { in::atomic_sync(a); return __atomic_fetch_xor(a, v, __ATOMIC_SEQ_CST); } \
  T __tsan_atomic##n##_fetch_nand(volatile T* a, T v, int) { in::atomic_sync(a); return __atomic_fetch_nand(a, v, __ATOMIC_SEQ_CST); } \
  int __tsan_atomic##n##_compare_exchange_strong(volatile T* a, T* c, T v, int, int) {                      \
    in::atomic_sync(a);                                                                                      \
    return __atomic_compare_exchange_n(a, c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);                  \
  }                                                                                                          \
  int __tsan_atomic##n##_compare_exchange_weak(volatile T* a, T* c, T v, int, int) {                        \
    in::atomic_sync(a);                                                                                      \
    return __atomic_compare_exchange_n(a, c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);                  \
  }                                                                                                          \
  T __tsan_atomic##n##_compare_exchange_val(volatile T* a, T c, T v, int, int) {                            \
    in::atomic_sync(a);                                                                                      \
    __atomic_compare_exchange_n(a, &c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);                         \
    return c;                                                                                                \
  }
CONCLAB_ATOMIC(8, std::uint8_t)
CONCLAB_ATOMIC(16, std::uint16_t)
CONCLAB_ATOMIC(32, std::uint32_t)
CONCLAB_ATOMIC(64, std::uint64_t)
#undef CONCLAB_ATOMIC

void __tsan_atomic_thread_fence(int) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
void __tsan_atomic_signal_fence(int) { __atomic_signal_fence(__ATOMIC_SEQ_CST); }

}  // extern "C"

// Memory given back is forgotten: the next object at the same address is a different variable.
void operator delete(void* p) noexcept {
  in::forget(p);
  std::free(p);
}
void operator delete[](void* p) noexcept {
  in::forget(p);
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  in::forget(p);
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  in::forget(p);
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  in::forget(p);
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  in::forget(p);
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  in::forget(p);
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  in::forget(p);
  std::free(p);
}
