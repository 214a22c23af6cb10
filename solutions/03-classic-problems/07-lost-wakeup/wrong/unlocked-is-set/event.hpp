// Lab 03.07 lost-wakeup, WRONG (unlocked-is-set): set() and wait() are the reference ones, but is_set() reads the
// bool without the mutex: "it only reads one bool".
//
// Why it looks right: reading a bool is one instruction on every CPU, it can only be true or false, and a stale
// false just means "not yet". Why it is wrong: set_ is written under mu_ by set() and read here with no lock: two
// threads, one writes, nothing orders them, so it is a data race, undefined behaviour (the compiler may keep the
// bool in a register and never reload it). And even the value says nothing: a true read this way does not make
// the setter's earlier writes visible, so a caller that reads the payload after is_set() returned true races with
// the setter too. The explorer checks every plain access by happens-before and reports the race with both lines
// (EventTest.IsSetTrueMeansTheSettersWritesAreVisible). The fix: lock in is_set() as well (or make the state an
// atomic read with acquire).
#pragma once

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Event {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  void set() {
    sync::lock_guard lock(mu_);
    set_ = true;
    cv_.notify_all();
  }

  void wait() {
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return set_; });
  }

  bool is_set() const {
    return set_;  // BUG: read without mu_, while set() may be writing it under mu_: a data race
  }

 private:
  sync::mutex mu_;
  bool set_ = false;  // guarded by mu_ (except in is_set())
  sync::condition_variable cv_;
};

}  // namespace lab
