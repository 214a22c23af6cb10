// The instrumented primitives of conclab::sim, with the names and the semantics of std's: each operation is a
// point where the explorer may switch threads, and what each did is recorded for the printed schedule.
// Labs do not include this: they include conclab/sync.hpp, which picks these in the sim build and std's in the
// others. Atomics follow the C++ memory model for the order passed (detail.hpp, "Memory model"), not x86's.
#pragma once
// Treated as a system header, as <mutex> is: clang's -Wthread-safety checks the code that calls these, not them.
#pragma GCC system_header

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstring>
#include <exception>
#include <functional>
#include <future>
#include <optional>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <stop_token>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "conclab/sim/detail.hpp"

namespace conclab::sim {

#define CONCLAB_SIM_HERE ::conclab::sim::detail::SourceLoc loc = ::conclab::sim::detail::SourceLoc::current()

// ---- Time ----

// A steady clock that only moves when every thread waits for it (a timed wait, a sleep): a test that waits
// 10 minutes of this clock takes no real time.
struct steady_clock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<steady_clock>;
  static constexpr bool is_steady = true;
  static time_point now() noexcept { return time_point(duration(detail::now_ns())); }
};

namespace detail {
template <class Clock, class Duration>
std::int64_t deadline_of(const std::chrono::time_point<Clock, Duration>& t) {
  if constexpr (std::is_same_v<Clock, steady_clock>) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  } else {
    // Another clock's deadline: as far from its now() as it is, on the simulated clock.
    return now_ns() + std::chrono::duration_cast<std::chrono::nanoseconds>(t - Clock::now()).count();
  }
}
template <class Rep, class Period>
std::int64_t deadline_after(const std::chrono::duration<Rep, Period>& d) {
  return now_ns() + std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}
inline Where here(const SourceLoc& loc) { return Where{loc, nullptr}; }
}  // namespace detail

// ---- Threads ----

class thread_id {
 public:
  thread_id() = default;
  explicit thread_id(int fiber) : fiber_(fiber) {}
  friend bool operator==(thread_id, thread_id) = default;
  friend auto operator<=>(thread_id, thread_id) = default;
  friend std::ostream& operator<<(std::ostream& os, thread_id id) { return os << 'T' << id.fiber_; }
  int fiber() const { return fiber_; }

 private:
  int fiber_ = -1;
};

class thread {
 public:
  using id = thread_id;
  thread() noexcept = default;
  template <class F, class... Args>
    requires(!std::is_same_v<std::remove_cvref_t<F>, thread>)
  [[gnu::noinline]] explicit thread(F&& f, Args&&... args) {
    // As std::thread: decay-copies the function and its arguments, then calls it with them as rvalues.
    auto call = std::make_shared<std::tuple<std::decay_t<F>, std::decay_t<Args>...>>(std::forward<F>(f), std::forward<Args>(args)...);
    start(CONCLAB_SIM_RETURN_ADDRESS(), [call] { std::apply([](auto& fn, auto&... a) { std::invoke(std::move(fn), std::move(a)...); }, *call); });
  }
  thread(thread&& other) noexcept : fiber_(std::exchange(other.fiber_, -1)) {}
  thread& operator=(thread&& other) noexcept {
    if (joinable()) terminate_joinable();
    fiber_ = std::exchange(other.fiber_, -1);
    return *this;
  }
  ~thread() {
    if (joinable()) terminate_joinable();
  }

  bool joinable() const noexcept { return fiber_ >= 0; }
  id get_id() const noexcept { return id(fiber_); }
  void join(CONCLAB_SIM_HERE) {
    detail::point("join", detail::here(loc));
    if (!joinable()) detail::fail(Outcome::kFailed, "join() on a thread that is not joinable (std::system_error)");
    if (fiber_ == detail::current()) detail::fail(Outcome::kDeadlock, "a thread joins itself (std::system_error)");
    if (!detail::finished(fiber_)) detail::note("T" + std::to_string(fiber_) + " is still running: waits");
    detail::join(fiber_);
    detail::note("-> T" + std::to_string(fiber_) + " has finished");
    fiber_ = -1;
  }
  void detach(CONCLAB_SIM_HERE) {
    detail::point("detach", detail::here(loc));
    fiber_ = -1;
  }

 private:
  void start(const detail::Where& where, std::function<void()> fn) {
    detail::point("start a thread", where);
    fiber_ = detail::spawn(std::move(fn));
    detail::note("-> T" + std::to_string(fiber_));
  }
  [[noreturn]] static void terminate_joinable() {
    detail::fail(Outcome::kFailed,
                 "a std::thread was destroyed (or assigned to) while still joinable: a real program calls "
                 "std::terminate here. Join it first, or use std::jthread, which joins in its destructor");
  }
  int fiber_ = -1;
};

namespace this_thread {
inline thread_id get_id() noexcept { return thread_id(detail::current()); }
inline void yield(CONCLAB_SIM_HERE) {
  detail::point("yield", detail::here(loc));
  detail::note_yield();
}
template <class Rep, class Period>
void sleep_for(const std::chrono::duration<Rep, Period>& d, CONCLAB_SIM_HERE) {
  detail::point("sleep_for", detail::here(loc));
  detail::sleep_until_ns(detail::deadline_after(d));
}
template <class Clock, class Duration>
void sleep_until(const std::chrono::time_point<Clock, Duration>& t, CONCLAB_SIM_HERE) {
  detail::point("sleep_until", detail::here(loc));
  detail::sleep_until_ns(detail::deadline_of(t));
}
}  // namespace this_thread

// ---- Stop tokens and jthread ----

namespace detail {
struct StopState {
  bool requested = false;
  SyncClock sync;  // request_stop happens-before a stop_requested() that returns true
  int next_id = 0;
  std::vector<std::pair<int, std::function<void()>>> callbacks;
  void remove(int id) {
    std::erase_if(callbacks, [id](const auto& c) { return c.first == id; });
  }
};
}  // namespace detail

class stop_token {
 public:
  stop_token() noexcept = default;
  bool stop_possible() const noexcept { return state_ != nullptr; }
  bool stop_requested(CONCLAB_SIM_HERE) const {
    if (!state_) return false;
    detail::point("stop_requested", detail::here(loc));
    detail::note_load(state_.get());
    detail::note(state_->requested ? "-> true" : "-> false");
    if (state_->requested) detail::acquire_from(state_->sync);
    return state_->requested;
  }

 private:
  friend class stop_source;
  friend class condition_variable_any;
  template <class Callback>
  friend class stop_callback;
  explicit stop_token(std::shared_ptr<detail::StopState> s) : state_(std::move(s)) {}
  std::shared_ptr<detail::StopState> state_;
};

struct nostopstate_t {
  explicit nostopstate_t() = default;
};
inline constexpr nostopstate_t nostopstate{};

class stop_source {
 public:
  stop_source() : state_(std::make_shared<detail::StopState>()) {}
  explicit stop_source(nostopstate_t) noexcept {}
  stop_token get_token() const noexcept { return stop_token(state_); }
  bool stop_possible() const noexcept { return state_ != nullptr; }
  bool stop_requested(CONCLAB_SIM_HERE) const { return get_token().stop_requested(loc); }
  bool request_stop(CONCLAB_SIM_HERE) {
    if (!state_) return false;
    detail::point("request_stop", detail::here(loc));
    if (state_->requested) {
      detail::note("-> already requested");
      return false;
    }
    state_->requested = true;
    detail::release_to(state_->sync);
    detail::note_write();
    auto callbacks = state_->callbacks;  // a callback may deregister itself
    for (auto& c : callbacks) c.second();
    return true;
  }

 private:
  std::shared_ptr<detail::StopState> state_;
};

template <class Callback>
class stop_callback {
 public:
  template <class C>
  explicit stop_callback(const stop_token& st, C&& cb) : state_(st.state_), cb_(std::forward<C>(cb)) {
    if (!state_) return;
    if (state_->requested) {
      cb_();
      return;
    }
    id_ = state_->next_id++;
    state_->callbacks.emplace_back(id_, [this] { cb_(); });
  }
  ~stop_callback() {
    if (state_ && id_ >= 0) state_->remove(id_);
  }
  stop_callback(const stop_callback&) = delete;
  stop_callback& operator=(const stop_callback&) = delete;

 private:
  std::shared_ptr<detail::StopState> state_;
  Callback cb_;
  int id_ = -1;
};
template <class Callback>
stop_callback(stop_token, Callback) -> stop_callback<Callback>;

// std::jthread: requests a stop and joins in its destructor; passes its stop_token to a function that takes one.
class jthread {
 public:
  using id = thread_id;
  jthread() noexcept = default;
  template <class F, class... Args>
    requires(!std::is_same_v<std::remove_cvref_t<F>, jthread>)
  [[gnu::noinline]] explicit jthread(F&& f, Args&&... args) {
    detail::ScopedWhere at(CONCLAB_SIM_RETURN_ADDRESS());
    if constexpr (std::is_invocable_v<std::decay_t<F>, stop_token, std::decay_t<Args>...>) {
      t_ = thread(std::forward<F>(f), ss_.get_token(), std::forward<Args>(args)...);
    } else {
      t_ = thread(std::forward<F>(f), std::forward<Args>(args)...);
    }
  }
  jthread(jthread&&) noexcept = default;
  jthread& operator=(jthread&& other) noexcept {
    stop_and_join();
    ss_ = std::move(other.ss_);
    t_ = std::move(other.t_);
    return *this;
  }
  [[gnu::noinline]] ~jthread() {
    if (!t_.joinable()) return;
    detail::ScopedWhere at(CONCLAB_SIM_RETURN_ADDRESS());
    stop_and_join();
  }

  bool joinable() const noexcept { return t_.joinable(); }
  id get_id() const noexcept { return t_.get_id(); }
  void join(CONCLAB_SIM_HERE) { t_.join(loc); }
  void detach(CONCLAB_SIM_HERE) { t_.detach(loc); }
  bool request_stop(CONCLAB_SIM_HERE) { return ss_.request_stop(loc); }
  stop_source get_stop_source() const noexcept { return ss_; }
  stop_token get_stop_token() const noexcept { return ss_.get_token(); }

 private:
  void stop_and_join() {
    if (!t_.joinable()) return;
    ss_.request_stop();
    t_.join();
  }
  stop_source ss_;
  thread t_;
};

// ---- Atomics ----

template <class T>
class atomic {
  static_assert(std::is_trivially_copyable_v<T>, "std::atomic<T> needs a trivially copyable T");
  using order = std::memory_order;
  static constexpr order kSeqCst = std::memory_order_seq_cst;

 public:
  using value_type = T;
  static constexpr bool is_always_lock_free = true;
  atomic() noexcept(std::is_nothrow_default_constructible_v<T>) : values_{T()} {}
  atomic(T v) noexcept : values_{v} {}  // NOLINT: implicit, as std::atomic's
  atomic(const atomic&) = delete;
  atomic& operator=(const atomic&) = delete;
  bool is_lock_free() const noexcept { return true; }

  T load(order o = kSeqCst, CONCLAB_SIM_HERE) const { return do_load(detail::here(loc), o); }
  void store(T v, order o = kSeqCst, CONCLAB_SIM_HERE) { do_store(v, detail::here(loc), o); }
  T exchange(T v, order o = kSeqCst, CONCLAB_SIM_HERE) {
    return rmw("exchange", detail::here(loc), o, [v](T) { return v; });
  }
  bool compare_exchange_strong(T& expected, T desired, order success, order failure, CONCLAB_SIM_HERE) {
    return cas("compare_exchange_strong", expected, desired, false, success, failure, detail::here(loc));
  }
  bool compare_exchange_strong(T& expected, T desired, order o = kSeqCst, CONCLAB_SIM_HERE) {
    return cas("compare_exchange_strong", expected, desired, false, o, failure_order(o), detail::here(loc));
  }
  // May fail even when the value equals `expected` (the explorer tries that): call it in a loop.
  bool compare_exchange_weak(T& expected, T desired, order success, order failure, CONCLAB_SIM_HERE) {
    return cas("compare_exchange_weak", expected, desired, true, success, failure, detail::here(loc));
  }
  bool compare_exchange_weak(T& expected, T desired, order o = kSeqCst, CONCLAB_SIM_HERE) {
    return cas("compare_exchange_weak", expected, desired, true, o, failure_order(o), detail::here(loc));
  }

  T fetch_add(T d, order o = kSeqCst, CONCLAB_SIM_HERE)
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  {
    return rmw("fetch_add", detail::here(loc), o, [d](T x) { return static_cast<T>(x + d); });
  }
  T fetch_sub(T d, order o = kSeqCst, CONCLAB_SIM_HERE)
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  {
    return rmw("fetch_sub", detail::here(loc), o, [d](T x) { return static_cast<T>(x - d); });
  }
  T fetch_and(T d, order o = kSeqCst, CONCLAB_SIM_HERE)
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  {
    return rmw("fetch_and", detail::here(loc), o, [d](T x) { return static_cast<T>(x & d); });
  }
  T fetch_or(T d, order o = kSeqCst, CONCLAB_SIM_HERE)
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  {
    return rmw("fetch_or", detail::here(loc), o, [d](T x) { return static_cast<T>(x | d); });
  }
  T fetch_xor(T d, order o = kSeqCst, CONCLAB_SIM_HERE)
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  {
    return rmw("fetch_xor", detail::here(loc), o, [d](T x) { return static_cast<T>(x ^ d); });
  }
  T fetch_add(std::ptrdiff_t d, order o = kSeqCst, CONCLAB_SIM_HERE)
    requires std::is_pointer_v<T>
  {
    return rmw("fetch_add", detail::here(loc), o, [d](T x) { return x + d; });
  }
  T fetch_sub(std::ptrdiff_t d, order o = kSeqCst, CONCLAB_SIM_HERE)
    requires std::is_pointer_v<T>
  {
    return rmw("fetch_sub", detail::here(loc), o, [d](T x) { return x - d; });
  }

  // The operator forms (seq_cst): no place for a source location, so the return address tells the line.
  [[gnu::noinline]] operator T() const { return do_load(CONCLAB_SIM_RETURN_ADDRESS(), kSeqCst); }  // NOLINT
  [[gnu::noinline]] T operator=(T v) {
    do_store(v, CONCLAB_SIM_RETURN_ADDRESS(), kSeqCst);
    return v;
  }
  [[gnu::noinline]] T operator++()
    requires(std::is_integral_v<T> || std::is_pointer_v<T>)
  {
    return static_cast<T>(rmw("++", CONCLAB_SIM_RETURN_ADDRESS(), kSeqCst, [](T x) { return ++x; }) + 1);
  }
  [[gnu::noinline]] T operator++(int)
    requires(std::is_integral_v<T> || std::is_pointer_v<T>)
  {
    return rmw("++", CONCLAB_SIM_RETURN_ADDRESS(), kSeqCst, [](T x) { return ++x; });
  }
  [[gnu::noinline]] T operator--()
    requires(std::is_integral_v<T> || std::is_pointer_v<T>)
  {
    return static_cast<T>(rmw("--", CONCLAB_SIM_RETURN_ADDRESS(), kSeqCst, [](T x) { return --x; }) - 1);
  }
  [[gnu::noinline]] T operator--(int)
    requires(std::is_integral_v<T> || std::is_pointer_v<T>)
  {
    return rmw("--", CONCLAB_SIM_RETURN_ADDRESS(), kSeqCst, [](T x) { return --x; });
  }
  [[gnu::noinline]] T operator+=(T d)
    requires std::is_integral_v<T>
  {
    return static_cast<T>(rmw("+=", CONCLAB_SIM_RETURN_ADDRESS(), kSeqCst, [d](T x) { return static_cast<T>(x + d); }) + d);
  }
  [[gnu::noinline]] T operator-=(T d)
    requires std::is_integral_v<T>
  {
    return static_cast<T>(rmw("-=", CONCLAB_SIM_RETURN_ADDRESS(), kSeqCst, [d](T x) { return static_cast<T>(x - d); }) - d);
  }

  // C++20 waiting: blocks while the value equals `old` (each check reads the newest value).
  void wait(T old, order o = kSeqCst, CONCLAB_SIM_HERE) const {
    for (;;) {
      detail::point("load", detail::here(loc));
      const T now = values_[detail::atomic_load(loc_, o, /*latest_only=*/true)];
      detail::note("-> " + detail::show(now));
      if (std::memcmp(&now, &old, sizeof(T)) != 0) return;
      detail::note("equal: waits");
      detail::block(waiters_, "waits in atomic::wait for a notify", true);
    }
  }
  void notify_one(CONCLAB_SIM_HERE) {
    detail::point("notify_one", detail::here(loc));
    const int woken = detail::wake_one(waiters_);
    detail::note(woken < 0 ? "(no waiter)" : "wakes T" + std::to_string(woken));
  }
  void notify_all(CONCLAB_SIM_HERE) {
    detail::point("notify_all", detail::here(loc));
    detail::note("wakes " + std::to_string(detail::wake_all(waiters_)));
  }

 private:
  static order failure_order(order o) {
    return o == std::memory_order_acq_rel ? std::memory_order_acquire
           : o == std::memory_order_release ? std::memory_order_relaxed
                                             : o;
  }
  static std::string order_name(order o) {
    switch (o) {
      case std::memory_order_relaxed: return "relaxed";
      case std::memory_order_consume: return "consume";
      case std::memory_order_acquire: return "acquire";
      case std::memory_order_release: return "release";
      case std::memory_order_acq_rel: return "acq_rel";
      case std::memory_order_seq_cst: return "";
    }
    return "";
  }
  static std::string with_order(const char* op, order o) {
    const std::string name = order_name(o);
    return name.empty() ? std::string(op) : std::string(op) + "(" + name + ")";
  }
  T do_load(const detail::Where& where, order o) const {
    detail::point(op_name("load", o), where);
    // A pointer is never read early: the value would come from an earlier schedule, where it pointed to an object
    // that need not exist yet in this one, and the program would follow it before the explorer could drop the
    // schedule. (Load buffering through pointers is the same shape as through integers; the labs lose nothing.)
    if (const std::string* early = std::is_pointer_v<T> ? nullptr : detail::speculate(loc_, o, sizeof(T))) {
      T v;
      std::memcpy(&v, early->data(), sizeof(T));
      detail::note_load(this);
      detail::note("-> " + detail::show(v) + " (read early: another thread stores it later, and nothing orders that "
                   "store after this load: load buffering)");
      return v;
    }
    const std::size_t i = detail::atomic_load(loc_, o);
    const T v = values_[i];
    detail::note_load(this);
    detail::note("-> " + detail::show(v) +
                 (i + 1 < values_.size() ? " (an older value: " + detail::show(values_.back()) + " was stored later)" : ""));
    return v;
  }
  void do_store(T v, const detail::Where& where, order o) {
    detail::point(op_name("store", o), where);
    const std::size_t i = detail::atomic_store(loc_, o);
    values_.insert(values_.begin() + static_cast<std::ptrdiff_t>(i), v);
    detail::note_write();
    detail::note(detail::show(v) + (i + 1 < values_.size() ? " (ordered before the store of " + detail::show(values_[i + 1]) + ")" : ""));
    detail::stored(loc_, i, &v, sizeof(T));
  }
  template <class F>
  T rmw(const char* op, const detail::Where& where, order o, F f) {
    detail::point(op_name(op, o), where);
    const T old = values_[detail::atomic_rmw(loc_, o)];
    values_.push_back(f(old));
    const T now = values_.back();  // a copy: for bool, back() is std::vector<bool>'s proxy, not the value's bytes
    // An exchange or fetch_or that leaves the value as it was (a test-and-set on a held flag) changes nothing a
    // spinning thread could see: for spin detection it is a load, so `while (f.exchange(true)) {}` spins.
    if (std::memcmp(&now, &old, sizeof(T)) == 0) {
      detail::note_load(this);
    } else {
      detail::note_write();
    }
    detail::note(detail::show(old) + " -> " + detail::show(now));
    detail::stored(loc_, values_.size() - 1, &now, sizeof(T));
    return old;
  }
  bool cas(const char* op, T& expected, T desired, bool weak, order success, order failure, const detail::Where& where) {
    detail::point(op_name(op, success), where);
    const T last = values_.back();
    const bool equal = std::memcmp(&last, &expected, sizeof(T)) == 0;
    if (equal && !(weak && detail::spurious_enabled() && detail::choose(2, true) == 1)) {
      (void)detail::atomic_rmw(loc_, success);
      values_.push_back(desired);
      detail::note_write();
      detail::note(detail::show(expected) + " -> " + detail::show(desired) + ": succeeds");
      detail::stored(loc_, values_.size() - 1, &desired, sizeof(T));
      return true;
    }
    (void)detail::atomic_load(loc_, failure, /*latest_only=*/true);
    detail::note_load(this);
    detail::note(equal ? "fails spuriously" : "sees " + detail::show(last) + ", expected " + detail::show(expected) + ": fails");
    expected = last;
    return false;
  }
  // The trace names the order when it is not seq_cst: "load(acquire)". A point needs a string that lives on.
  static const char* op_name(const char* op, order o) {
    detail::unchecked_until_return();  // runs before the operation's point: the explorer's own table
    static std::map<std::string, std::string> names;
    const std::string key = with_order(op, o);
    return names.emplace(key, key).first->second.c_str();
  }

  mutable detail::Location loc_;  // the modification order's metadata; values_ holds the values, in the same order
  std::vector<T> values_;
  mutable detail::WaitQueue waiters_;
};

inline void atomic_thread_fence(std::memory_order order, CONCLAB_SIM_HERE) {
  detail::point("fence", detail::here(loc));
  detail::atomic_fence(order);
}

class atomic_flag {
 public:
  constexpr atomic_flag() noexcept = default;
  bool test_and_set(std::memory_order o = std::memory_order_seq_cst, CONCLAB_SIM_HERE) { return v_.exchange(true, o, loc); }
  void clear(std::memory_order o = std::memory_order_seq_cst, CONCLAB_SIM_HERE) { v_.store(false, o, loc); }
  bool test(std::memory_order o = std::memory_order_seq_cst, CONCLAB_SIM_HERE) const { return v_.load(o, loc); }
  void wait(bool old, std::memory_order o = std::memory_order_seq_cst, CONCLAB_SIM_HERE) const { v_.wait(old, o, loc); }
  void notify_one(CONCLAB_SIM_HERE) { v_.notify_one(loc); }
  void notify_all(CONCLAB_SIM_HERE) { v_.notify_all(loc); }

 private:
  atomic<bool> v_{false};
};

// ---- Promises and futures ----

namespace detail {
template <class T>
struct FutureState {
  bool ready = false;
  std::optional<T> value;
  std::exception_ptr error;
  SyncClock sync;  // set_value/set_exception happens-before the get() that returns it
  WaitQueue waiters;
  bool retrieved = false;
};
}  // namespace detail

template <class T>
class shared_future;

template <class T>
class future {
 public:
  future() noexcept = default;
  bool valid() const noexcept { return state_ != nullptr; }
  T get(CONCLAB_SIM_HERE) {
    auto state = std::move(state_);
    wait_ready(*state, loc);
    if (state->error) std::rethrow_exception(state->error);
    return std::move(*state->value);
  }
  void wait(CONCLAB_SIM_HERE) const { wait_ready(*state_, loc); }
  shared_future<T> share() noexcept { return shared_future<T>(std::move(state_)); }

  static void wait_ready(detail::FutureState<T>& s, const detail::SourceLoc& loc) {
    detail::point("future get", detail::here(loc));
    while (!s.ready) {
      detail::note("not ready: waits");
      detail::block(s.waiters, "waits for a future that is not ready", true);
    }
    detail::acquire_from(s.sync);
  }

 private:
  template <class U>
  friend class promise;
  explicit future(std::shared_ptr<detail::FutureState<T>> s) : state_(std::move(s)) {}
  std::shared_ptr<detail::FutureState<T>> state_;
};

template <class T>
class shared_future {
 public:
  shared_future() noexcept = default;
  bool valid() const noexcept { return state_ != nullptr; }
  const T& get(CONCLAB_SIM_HERE) const {
    future<T>::wait_ready(*state_, loc);
    if (state_->error) std::rethrow_exception(state_->error);
    return *state_->value;
  }
  void wait(CONCLAB_SIM_HERE) const { future<T>::wait_ready(*state_, loc); }

 private:
  friend class future<T>;
  explicit shared_future(std::shared_ptr<detail::FutureState<T>> s) : state_(std::move(s)) {}
  std::shared_ptr<detail::FutureState<T>> state_;
};

template <class T>
class promise {
 public:
  promise() : state_(std::make_shared<detail::FutureState<T>>()) {}
  promise(promise&&) noexcept = default;
  promise& operator=(promise&&) noexcept = default;
  promise(const promise&) = delete;
  promise& operator=(const promise&) = delete;
  ~promise() {
    // Destroyed unfulfilled: whoever waits gets std::future_error(broken_promise), as with std::promise.
    if (state_ && !state_->ready && state_.use_count() > 1) {
      // An operation like set_exception: a switch point (whose tick puts it after what this thread did before,
      // so the waiter's get() is ordered after it), and the explorer's own writes, not the program's.
      if (active()) detail::point("destroys an unfulfilled promise", CONCLAB_SIM_RETURN_ADDRESS());
      settle([&] { state_->error = std::make_exception_ptr(std::future_error(std::future_errc::broken_promise)); });
    }
  }

  future<T> get_future() {
    if (state_->retrieved) throw std::future_error(std::future_errc::future_already_retrieved);
    state_->retrieved = true;
    return future<T>(state_);
  }
  void set_value(T v, CONCLAB_SIM_HERE) {
    detail::point("set_value", detail::here(loc));
    settle([&] { state_->value.emplace(std::move(v)); });
  }
  void set_exception(std::exception_ptr e, CONCLAB_SIM_HERE) {
    detail::point("set_exception", detail::here(loc));
    settle([&] { state_->error = std::move(e); });
  }

 private:
  template <class F>
  void settle(F set) {
    if (state_->ready) throw std::future_error(std::future_errc::promise_already_satisfied);
    set();
    state_->ready = true;
    detail::release_to(state_->sync);
    if (active()) {
      detail::note_write();
      detail::note("wakes " + std::to_string(detail::wake_all(state_->waiters)));
    }
  }
  std::shared_ptr<detail::FutureState<T>> state_;
};

// ---- Plain data shared between threads, checked for data races ----

// A plain variable the threads of a sim test share: every access is checked by happens-before, and two accesses
// of which one writes, unordered, fail the schedule as a data race (with both places). In the other builds
// conclab::sync::shared<T> is the variable itself, which ThreadSanitizer checks.
template <class T>
class shared {
 public:
  shared() = default;
  explicit shared(T v) : v_(std::move(v)) {}
  shared(const shared&) = delete;
  shared& operator=(const shared&) = delete;

  const T& read(CONCLAB_SIM_HERE) const {
    detail::check_read(state_, "a shared<T> variable", detail::here(loc));
    return v_;
  }
  void write(T v, CONCLAB_SIM_HERE) {
    detail::check_write(state_, "a shared<T> variable", detail::here(loc));
    v_ = std::move(v);
  }
  // For changing it in place (v.mutate().push_back(x)): a write.
  T& mutate(CONCLAB_SIM_HERE) {
    detail::check_write(state_, "a shared<T> variable", detail::here(loc));
    return v_;
  }

 private:
  T v_{};
  mutable detail::RaceState state_;
};

// ---- Mutexes ----

class mutex {
 public:
  mutex() = default;
  mutex(const mutex&) = delete;
  mutex& operator=(const mutex&) = delete;

  void lock(CONCLAB_SIM_HERE) {
    detail::point("lock", detail::here(loc));
    alive_.check("a mutex");
    acquire();
  }
  bool try_lock(CONCLAB_SIM_HERE) {
    detail::point("try_lock", detail::here(loc));
    // The standard lets try_lock fail even when the mutex is free; the explorer tries it.
    if (owner_ < 0 && !(detail::spurious_enabled() && detail::choose(2, true) == 1)) {
      owner_ = detail::current();
      detail::acquire_from(sync_);
      detail::note_held(this, true);
      detail::note("-> true");
      return true;
    }
    detail::note_load(this);
    detail::note(owner_ < 0 ? "-> false (spuriously)" : "-> false (T" + std::to_string(owner_) + " holds it)");
    return false;
  }
  void unlock(CONCLAB_SIM_HERE) {
    detail::point("unlock", detail::here(loc));
    alive_.check("a mutex");
    release();
  }

  // For the library's own use (condition variables, std::lock): no point of their own.
  void acquire() {
    while (owner_ >= 0) {
      if (owner_ == detail::current()) {
        detail::fail(Outcome::kDeadlock, "T" + std::to_string(owner_) +
                                             " locks a mutex it already holds: it waits for itself forever (a "
                                             "self-deadlock; std::mutex is not recursive)");
      }
      detail::note("waits: T" + std::to_string(owner_) + " holds it");
      detail::block(waiters_, "waits for a mutex that T" + std::to_string(owner_) + " holds", false);
    }
    owner_ = detail::current();
    detail::acquire_from(sync_);
    detail::note_held(this, true);
    detail::note("acquired");
  }
  void release() {
    if (owner_ != detail::current()) {
      detail::fail(Outcome::kFailed, owner_ < 0 ? "unlock() of a mutex nobody holds (undefined behaviour)"
                                                : "T" + std::to_string(detail::current()) + " unlocks a mutex that T" +
                                                      std::to_string(owner_) + " holds (undefined behaviour)");
    }
    detail::release_to(sync_);
    owner_ = -1;
    detail::note_held(this, false);
    detail::note_write();
    detail::wake_all(waiters_);
  }
  bool held_by_me() const { return owner_ == detail::current(); }

 private:
  int owner_ = -1;
  detail::SyncClock sync_;  // an unlock happens-before the next lock
  detail::WaitQueue waiters_;
  detail::Alive alive_;
};

class shared_mutex {
 public:
  shared_mutex() = default;
  shared_mutex(const shared_mutex&) = delete;
  shared_mutex& operator=(const shared_mutex&) = delete;

  void lock(CONCLAB_SIM_HERE) {
    detail::point("lock", detail::here(loc));
    while (writer_ >= 0 || readers_ > 0) {
      if (writer_ == detail::current()) detail::fail(Outcome::kDeadlock, "a thread locks a shared_mutex it already holds");
      detail::note("waits");
      detail::block(waiters_, "waits for a shared_mutex (exclusive)", false);
    }
    writer_ = detail::current();
    detail::acquire_from(sync_);
    detail::note_held(this, true);
    detail::note("acquired");
  }
  bool try_lock(CONCLAB_SIM_HERE) {
    detail::point("try_lock", detail::here(loc));
    if (writer_ < 0 && readers_ == 0) {
      writer_ = detail::current();
      detail::acquire_from(sync_);
      detail::note_held(this, true);
      detail::note("-> true");
      return true;
    }
    detail::note_load(this);
    detail::note("-> false");
    return false;
  }
  void unlock(CONCLAB_SIM_HERE) {
    detail::point("unlock", detail::here(loc));
    if (writer_ != detail::current()) detail::fail(Outcome::kFailed, "unlock() of a shared_mutex this thread does not hold");
    detail::release_to(sync_);
    writer_ = -1;
    detail::note_held(this, false);
    detail::note_write();
    detail::wake_all(waiters_);
  }
  void lock_shared(CONCLAB_SIM_HERE) {
    detail::point("lock_shared", detail::here(loc));
    while (writer_ >= 0) {
      detail::note("waits: T" + std::to_string(writer_) + " holds it exclusively");
      detail::block(waiters_, "waits for a shared_mutex (shared)", false);
    }
    ++readers_;
    detail::acquire_from(sync_);
    detail::note_held(this, true);
    detail::note("acquired (" + std::to_string(readers_) + " readers)");
  }
  bool try_lock_shared(CONCLAB_SIM_HERE) {
    detail::point("try_lock_shared", detail::here(loc));
    if (writer_ < 0) {
      ++readers_;
      detail::acquire_from(sync_);
      detail::note_held(this, true);
      detail::note("-> true");
      return true;
    }
    detail::note_load(this);
    detail::note("-> false");
    return false;
  }
  void unlock_shared(CONCLAB_SIM_HERE) {
    detail::point("unlock_shared", detail::here(loc));
    if (readers_ <= 0) detail::fail(Outcome::kFailed, "unlock_shared() of a shared_mutex with no reader");
    detail::release_to(sync_);  // a reader's section happens-before the next writer's
    --readers_;
    detail::note_held(this, false);
    detail::note_write();
    if (readers_ == 0) detail::wake_all(waiters_);
  }

 private:
  int writer_ = -1;
  int readers_ = 0;
  detail::SyncClock sync_;
  detail::WaitQueue waiters_;
};

// ---- Locks: std's, but each records where it was taken (std's would name a line inside <mutex>). ----

namespace detail {
// m.lock(loc) (try_lock, unlock) for the explorer's mutexes; for any other Lockable (a lab's own spinlock), m.lock() with `loc` as
// the place its operations are reported at.
template <class M>
void lock_at(M& m, SourceLoc loc) {
  if constexpr (requires { m.lock(loc); }) {
    m.lock(loc);
  } else {
    ScopedWhere at(Where{loc, nullptr});
    m.lock();
  }
}
template <class M>
bool try_lock_at(M& m, SourceLoc loc) {
  if constexpr (requires { m.try_lock(loc); }) {
    return m.try_lock(loc);
  } else {
    ScopedWhere at(Where{loc, nullptr});
    return m.try_lock();
  }
}
template <class M>
void unlock_at(M& m, SourceLoc loc) {
  if constexpr (requires { m.unlock(loc); }) {
    m.unlock(loc);
  } else {
    ScopedWhere at(Where{loc, nullptr});
    m.unlock();
  }
}
// The same for SharedLockable (shared_lock over the explorer's shared_mutex, or over a lab's own reader-writer lock).
template <class M>
void lock_shared_at(M& m, SourceLoc loc) {
  if constexpr (requires { m.lock_shared(loc); }) {
    m.lock_shared(loc);
  } else {
    ScopedWhere at(Where{loc, nullptr});
    m.lock_shared();
  }
}
template <class M>
void unlock_shared_at(M& m, SourceLoc loc) {
  if constexpr (requires { m.unlock_shared(loc); }) {
    m.unlock_shared(loc);
  } else {
    ScopedWhere at(Where{loc, nullptr});
    m.unlock_shared();
  }
}
}  // namespace detail

template <class Mutex>
class unique_lock {
 public:
  using mutex_type = Mutex;
  unique_lock() noexcept = default;
  explicit unique_lock(Mutex& m, CONCLAB_SIM_HERE) : m_(&m) {
    detail::lock_at(m, loc);
    owns_ = true;
  }
  unique_lock(Mutex& m, std::defer_lock_t) noexcept : m_(&m) {}
  unique_lock(Mutex& m, std::try_to_lock_t, CONCLAB_SIM_HERE) : m_(&m), owns_(detail::try_lock_at(m, loc)) {}
  unique_lock(Mutex& m, std::adopt_lock_t) noexcept : m_(&m), owns_(true) {}
  unique_lock(unique_lock&& o) noexcept : m_(std::exchange(o.m_, nullptr)), owns_(std::exchange(o.owns_, false)) {}
  unique_lock& operator=(unique_lock&& o) noexcept {
    if (owns_) m_->unlock();
    m_ = std::exchange(o.m_, nullptr);
    owns_ = std::exchange(o.owns_, false);
    return *this;
  }
  [[gnu::noinline]] ~unique_lock() {
    if (owns_) {
      detail::ScopedWhere at(CONCLAB_SIM_RETURN_ADDRESS());
      m_->unlock();
    }
  }
  unique_lock(const unique_lock&) = delete;
  unique_lock& operator=(const unique_lock&) = delete;

  void lock(CONCLAB_SIM_HERE) {
    if (m_ == nullptr || owns_) detail::fail(Outcome::kFailed, "unique_lock::lock() with no mutex, or one it already owns (std::system_error)");
    detail::lock_at(*m_, loc);
    owns_ = true;
  }
  bool try_lock(CONCLAB_SIM_HERE) {
    if (m_ == nullptr || owns_) detail::fail(Outcome::kFailed, "unique_lock::try_lock() with no mutex, or one it already owns (std::system_error)");
    owns_ = detail::try_lock_at(*m_, loc);
    return owns_;
  }
  void unlock(CONCLAB_SIM_HERE) {
    if (!owns_) detail::fail(Outcome::kFailed, "unique_lock::unlock() of a lock it does not own (std::system_error)");
    detail::unlock_at(*m_, loc);
    owns_ = false;
  }
  Mutex* release() noexcept {
    owns_ = false;
    return std::exchange(m_, nullptr);
  }
  bool owns_lock() const noexcept { return owns_; }
  explicit operator bool() const noexcept { return owns_; }
  Mutex* mutex() const noexcept { return m_; }

 private:
  Mutex* m_ = nullptr;
  bool owns_ = false;
};

template <class Mutex>
class lock_guard {
 public:
  using mutex_type = Mutex;
  explicit lock_guard(Mutex& m, CONCLAB_SIM_HERE) : m_(m) { detail::lock_at(m, loc); }
  lock_guard(Mutex& m, std::adopt_lock_t) noexcept : m_(m) {}
  [[gnu::noinline]] ~lock_guard() {
    detail::ScopedWhere at(CONCLAB_SIM_RETURN_ADDRESS());
    m_.unlock();
  }
  lock_guard(const lock_guard&) = delete;
  lock_guard& operator=(const lock_guard&) = delete;

 private:
  Mutex& m_;
};

template <class Mutex>
class shared_lock {
 public:
  using mutex_type = Mutex;
  shared_lock() noexcept = default;
  explicit shared_lock(Mutex& m, CONCLAB_SIM_HERE) : m_(&m) {
    detail::lock_shared_at(m, loc);
    owns_ = true;
  }
  shared_lock(Mutex& m, std::defer_lock_t) noexcept : m_(&m) {}
  shared_lock(shared_lock&& o) noexcept : m_(std::exchange(o.m_, nullptr)), owns_(std::exchange(o.owns_, false)) {}
  [[gnu::noinline]] ~shared_lock() {
    if (owns_) {
      detail::ScopedWhere at(CONCLAB_SIM_RETURN_ADDRESS());
      m_->unlock_shared();
    }
  }
  shared_lock(const shared_lock&) = delete;
  shared_lock& operator=(const shared_lock&) = delete;
  void lock(CONCLAB_SIM_HERE) {
    detail::lock_shared_at(*m_, loc);
    owns_ = true;
  }
  void unlock(CONCLAB_SIM_HERE) {
    detail::unlock_shared_at(*m_, loc);
    owns_ = false;
  }
  bool owns_lock() const noexcept { return owns_; }

 private:
  Mutex* m_ = nullptr;
  bool owns_ = false;
};

// std::scoped_lock's deadlock avoidance (std::lock) over our mutexes: lock one, try the others, back off.
template <class... Mutexes>
class scoped_lock {
 public:
  [[gnu::noinline]] explicit scoped_lock(Mutexes&... ms) : ms_(ms...) {
    detail::ScopedWhere at(CONCLAB_SIM_RETURN_ADDRESS());
    if constexpr (sizeof...(Mutexes) == 1) {
      std::get<0>(ms_).lock();
    } else if constexpr (sizeof...(Mutexes) > 1) {
      std::lock(ms...);
    }
  }
  [[gnu::noinline]] ~scoped_lock() {
    detail::ScopedWhere at(CONCLAB_SIM_RETURN_ADDRESS());
    std::apply([](auto&... m) { (m.unlock(), ...); }, ms_);
  }
  scoped_lock(const scoped_lock&) = delete;
  scoped_lock& operator=(const scoped_lock&) = delete;

 private:
  std::tuple<Mutexes&...> ms_;
};

// ---- Condition variables ----

class condition_variable_any {
 public:
  condition_variable_any() = default;
  condition_variable_any(const condition_variable_any&) = delete;
  condition_variable_any& operator=(const condition_variable_any&) = delete;

  void notify_one(CONCLAB_SIM_HERE) {
    detail::point("notify_one", detail::here(loc));
    alive_.check("a condition variable");
    const int woken = detail::wake_one(waiters_);
    detail::note(woken < 0 ? "-> no waiter" : "-> wakes T" + std::to_string(woken));
  }
  void notify_all(CONCLAB_SIM_HERE) {
    detail::point("notify_all", detail::here(loc));
    alive_.check("a condition variable");
    const int n = detail::wake_all(waiters_);
    detail::note(n == 0 ? "-> no waiter" : "-> wakes " + std::to_string(n));
  }
  template <class Lock>
  void wait(Lock& lock, CONCLAB_SIM_HERE) {
    wait_until_ns(lock, -1, loc);
  }
  template <class Lock, class Predicate>
  void wait(Lock& lock, Predicate ready, CONCLAB_SIM_HERE) {
    while (!ready()) wait_until_ns(lock, -1, loc);
  }
  // Waits until ready() or a stop is requested; true if ready().
  template <class Lock, class Predicate>
  bool wait(Lock& lock, stop_token st, Predicate ready, CONCLAB_SIM_HERE) {
    const bool* stopped = st.state_ ? &st.state_->requested : nullptr;
    std::shared_ptr<void> registration;
    if (st.state_) {
      // request_stop() wakes this wait, as std's does.
      auto& cbs = st.state_->callbacks;
      const int id = st.state_->next_id++;
      cbs.emplace_back(id, [this] { detail::wake_all(waiters_); });
      registration = std::shared_ptr<void>(nullptr, [state = st.state_, id](void*) { state->remove(id); });
    }
    for (;;) {
      if (ready()) return true;
      if (stopped != nullptr && *stopped) return false;
      wait_until_ns(lock, -1, loc, stopped);
    }
  }
  template <class Lock, class Clock, class Duration>
  std::cv_status wait_until(Lock& lock, const std::chrono::time_point<Clock, Duration>& t, CONCLAB_SIM_HERE) {
    return wait_until_ns(lock, detail::deadline_of(t), loc) ? std::cv_status::no_timeout : std::cv_status::timeout;
  }
  template <class Lock, class Rep, class Period>
  std::cv_status wait_for(Lock& lock, const std::chrono::duration<Rep, Period>& d, CONCLAB_SIM_HERE) {
    return wait_until_ns(lock, detail::deadline_after(d), loc) ? std::cv_status::no_timeout : std::cv_status::timeout;
  }
  template <class Lock, class Rep, class Period, class Predicate>
  bool wait_for(Lock& lock, const std::chrono::duration<Rep, Period>& d, Predicate ready, CONCLAB_SIM_HERE) {
    const std::int64_t deadline = detail::deadline_after(d);
    while (!ready()) {
      if (!wait_until_ns(lock, deadline, loc)) return ready();
    }
    return true;
  }
  template <class Lock, class Clock, class Duration, class Predicate>
  bool wait_until(Lock& lock, const std::chrono::time_point<Clock, Duration>& t, Predicate ready, CONCLAB_SIM_HERE) {
    const std::int64_t deadline = detail::deadline_of(t);
    while (!ready()) {
      if (!wait_until_ns(lock, deadline, loc)) return ready();
    }
    return true;
  }

 private:
  template <class Lock>
  bool wait_until_ns(Lock& lock, std::int64_t deadline, const detail::SourceLoc& loc, const bool* stopped = nullptr) {
    detail::point("wait", detail::here(loc));
    bool woken = true;
    {
      detail::NoSwitch atomically;  // releasing the lock and starting to wait are one step
      auto release = [&lock] {
        detail::NoSwitch quietly(true);  // part of this step, not a step of its own
        lock.unlock();
      };
      if (stopped != nullptr && *stopped) {
        detail::note("a stop was requested: does not sleep");
        release();
      } else if (detail::spurious_enabled() && detail::choose(2, true) == 1) {
        detail::note("releases the lock; wakes spuriously");
        release();
      } else {
        detail::note("releases the lock; sleeps");
        release();
        woken = detail::block(waiters_, "waits on a condition variable", deadline < 0, deadline);
      }
    }
    detail::point(woken ? "wait returns" : "wait times out", detail::here(loc));
    detail::ScopedWhere at_the_wait(detail::here(loc));
    lock.lock();
    return woken;
  }
  detail::WaitQueue waiters_;
  detail::Alive alive_;
};

// std::condition_variable: condition_variable_any for a unique_lock<mutex>, which also checks that the caller
// holds the mutex it waits with (waiting without it is undefined behaviour).
class condition_variable {
 public:
  condition_variable() = default;
  condition_variable(const condition_variable&) = delete;
  condition_variable& operator=(const condition_variable&) = delete;

  void notify_one(CONCLAB_SIM_HERE) { any_.notify_one(loc); }
  void notify_all(CONCLAB_SIM_HERE) { any_.notify_all(loc); }
  void wait(unique_lock<mutex>& lock, CONCLAB_SIM_HERE) {
    holds(lock, loc);
    any_.wait(lock, loc);
  }
  template <class Predicate>
  void wait(unique_lock<mutex>& lock, Predicate ready, CONCLAB_SIM_HERE) {
    holds(lock, loc);
    any_.wait(lock, std::move(ready), loc);
  }
  template <class Clock, class Duration>
  std::cv_status wait_until(unique_lock<mutex>& lock, const std::chrono::time_point<Clock, Duration>& t, CONCLAB_SIM_HERE) {
    holds(lock, loc);
    return any_.wait_until(lock, t, loc);
  }
  template <class Clock, class Duration, class Predicate>
  bool wait_until(unique_lock<mutex>& lock, const std::chrono::time_point<Clock, Duration>& t, Predicate ready, CONCLAB_SIM_HERE) {
    holds(lock, loc);
    return any_.wait_until(lock, t, std::move(ready), loc);
  }
  template <class Rep, class Period>
  std::cv_status wait_for(unique_lock<mutex>& lock, const std::chrono::duration<Rep, Period>& d, CONCLAB_SIM_HERE) {
    holds(lock, loc);
    return any_.wait_for(lock, d, loc);
  }
  template <class Rep, class Period, class Predicate>
  bool wait_for(unique_lock<mutex>& lock, const std::chrono::duration<Rep, Period>& d, Predicate ready, CONCLAB_SIM_HERE) {
    holds(lock, loc);
    return any_.wait_for(lock, d, std::move(ready), loc);
  }

 private:
  static void holds(const unique_lock<mutex>& lock, const detail::SourceLoc& loc) {
    if (lock.owns_lock() && lock.mutex()->held_by_me()) return;
    detail::point("wait", detail::here(loc));
    detail::fail(Outcome::kFailed, "wait() on a condition variable without holding its mutex (undefined behaviour)");
  }
  condition_variable_any any_;
};

// ---- Semaphores, latches, barriers ----

template <std::ptrdiff_t LeastMaxValue = 1 << 30>
class counting_semaphore {
 public:
  static constexpr std::ptrdiff_t max() noexcept { return LeastMaxValue; }
  constexpr explicit counting_semaphore(std::ptrdiff_t desired) : count_(desired) {}
  counting_semaphore(const counting_semaphore&) = delete;
  counting_semaphore& operator=(const counting_semaphore&) = delete;

  void release(std::ptrdiff_t update = 1, CONCLAB_SIM_HERE) {
    detail::point("release", detail::here(loc));
    alive_.check("a semaphore");
    if (update < 0 || count_ + update > LeastMaxValue) {
      detail::fail(Outcome::kFailed, "semaphore release() past max() (undefined behaviour): count " + std::to_string(count_) +
                                         " + " + std::to_string(update) + " > " + std::to_string(LeastMaxValue));
    }
    count_ += update;
    detail::release_to(sync_);
    detail::note_write();
    detail::note("count " + std::to_string(count_));
    detail::wake_all(waiters_);
  }
  void acquire(CONCLAB_SIM_HERE) {
    detail::point("acquire", detail::here(loc));
    while (count_ == 0) {
      detail::note("count 0: waits");
      detail::block(waiters_, "waits on a semaphore whose count is 0", true);
    }
    --count_;
    detail::acquire_from(sync_);
    detail::note("count " + std::to_string(count_));
  }
  bool try_acquire(CONCLAB_SIM_HERE) {
    detail::point("try_acquire", detail::here(loc));
    if (count_ == 0) {
      detail::note_load(this);
      detail::note("-> false");
      return false;
    }
    --count_;
    detail::acquire_from(sync_);
    detail::note("-> true, count " + std::to_string(count_));
    return true;
  }
  template <class Rep, class Period>
  bool try_acquire_for(const std::chrono::duration<Rep, Period>& d, CONCLAB_SIM_HERE) {
    detail::point("try_acquire_for", detail::here(loc));
    const std::int64_t deadline = detail::deadline_after(d);
    while (count_ == 0) {
      if (!detail::block(waiters_, "waits on a semaphore (with a timeout)", false, deadline) && count_ == 0) {
        detail::note("times out");
        return false;
      }
    }
    --count_;
    detail::acquire_from(sync_);
    return true;
  }

 private:
  std::ptrdiff_t count_;
  detail::SyncClock sync_;  // a release happens-before the acquire that takes its count
  detail::WaitQueue waiters_;
  detail::Alive alive_;
};
using binary_semaphore = counting_semaphore<1>;

class latch {
 public:
  static constexpr std::ptrdiff_t max() noexcept { return 1 << 30; }
  constexpr explicit latch(std::ptrdiff_t expected) : count_(expected) {}
  latch(const latch&) = delete;
  latch& operator=(const latch&) = delete;

  void count_down(std::ptrdiff_t n = 1, CONCLAB_SIM_HERE) {
    detail::point("count_down", detail::here(loc));
    alive_.check("a latch");
    down(n);
  }
  bool try_wait(CONCLAB_SIM_HERE) const {
    detail::point("try_wait", detail::here(loc));
    detail::note_load(this);
    if (count_ == 0) detail::acquire_from(sync_);
    return count_ == 0;
  }
  void wait(CONCLAB_SIM_HERE) const {
    detail::point("wait", detail::here(loc));
    block_until_zero();
  }
  void arrive_and_wait(std::ptrdiff_t n = 1, CONCLAB_SIM_HERE) {
    detail::point("arrive_and_wait", detail::here(loc));
    down(n);
    block_until_zero();
  }

 private:
  void down(std::ptrdiff_t n) {
    if (n > count_) detail::fail(Outcome::kFailed, "latch count_down() below zero (undefined behaviour)");
    count_ -= n;
    detail::release_to(sync_);
    detail::note_write();
    detail::note("count " + std::to_string(count_));
    if (count_ == 0) detail::wake_all(waiters_);
  }
  void block_until_zero() const {
    while (count_ > 0) {
      detail::note("count " + std::to_string(count_) + ": waits");
      detail::block(waiters_, "waits on a latch at " + std::to_string(count_), true);
    }
    detail::acquire_from(sync_);
  }
  std::ptrdiff_t count_;
  detail::SyncClock sync_;  // every count_down happens-before every wait that returns
  detail::Alive alive_;
  mutable detail::WaitQueue waiters_;
};

struct noop_completion {
  void operator()() noexcept {}
};

template <class CompletionFunction = noop_completion>
class barrier {
 public:
  class arrival_token {
    friend class barrier;
    std::uint64_t phase_ = 0;
  };
  explicit barrier(std::ptrdiff_t expected, CompletionFunction f = CompletionFunction())
      : expected_(expected), left_(expected), completion_(std::move(f)) {}
  barrier(const barrier&) = delete;
  barrier& operator=(const barrier&) = delete;

  [[nodiscard]] arrival_token arrive(std::ptrdiff_t n = 1, CONCLAB_SIM_HERE) {
    detail::point("arrive", detail::here(loc));
    return do_arrive(n);
  }
  void wait(arrival_token&& t, CONCLAB_SIM_HERE) const {
    detail::point("wait", detail::here(loc));
    wait_phase(t.phase_);
  }
  void arrive_and_wait(CONCLAB_SIM_HERE) {
    detail::point("arrive_and_wait", detail::here(loc));
    arrival_token t = do_arrive(1);
    wait_phase(t.phase_);
  }
  void arrive_and_drop(CONCLAB_SIM_HERE) {
    detail::point("arrive_and_drop", detail::here(loc));
    --expected_;
    (void)do_arrive(1);
  }

 private:
  arrival_token do_arrive(std::ptrdiff_t n) {
    arrival_token t;
    t.phase_ = phase_;
    left_ -= n;
    detail::release_to(sync_);
    detail::note_write();
    if (left_ <= 0) {
      detail::note("last to arrive: the phase completes");
      detail::acquire_from(sync_);
      completion_();
      detail::release_to(sync_);
      ++phase_;
      left_ = expected_;
      detail::wake_all(waiters_);
    } else {
      detail::note(std::to_string(left_) + " still to arrive");
    }
    return t;
  }
  void wait_phase(std::uint64_t phase) const {
    while (phase_ == phase) detail::block(waiters_, "waits at a barrier for " + std::to_string(left_) + " more", true);
    detail::acquire_from(sync_);
  }
  std::ptrdiff_t expected_;
  std::ptrdiff_t left_;
  std::uint64_t phase_ = 0;
  CompletionFunction completion_;
  mutable detail::SyncClock sync_;  // each arrival happens-before every wait of its phase that returns
  mutable detail::WaitQueue waiters_;
};

}  // namespace conclab::sim
