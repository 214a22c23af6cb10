// Lab 03.03 hierarchical mutex, NAIVE: a plain mutex that carries a level and never checks it.
//
// The mistake people really make, and why it looks right: "the levels are documentation: we all know the
// account lock comes before the log lock". The class has the right interface, every test that locks in the
// right order passes, and mutual exclusion is perfect. But nothing enforces the order. The day a callback from
// a lower layer locks a higher-level mutex (lesson 03's logger that calls back into the account), one thread
// holds low and wants high while another holds high and wants low: a deadlock, found in production, with no
// message. A level nobody checks catches nothing: HierarchicalMutexTest.AWrongOrderThrowsInsteadOfDeadlocking
// deadlocks here, and every test that expects a refusal gets none.
//
// Lesson: modules/03-classic-problems/03-lock-hierarchies.md.
#pragma once

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// A mutex with a level that nothing checks (that is the point of this version).
class HierarchicalMutex {
 public:
  explicit HierarchicalMutex(unsigned level) : level_(level) {}
  HierarchicalMutex(const HierarchicalMutex&) = delete;
  HierarchicalMutex& operator=(const HierarchicalMutex&) = delete;

  unsigned level() const noexcept { return level_; }

  void lock() { mu_.lock(); }  // any order goes
  bool try_lock() { return mu_.try_lock(); }
  void unlock() { mu_.unlock(); }

 private:
  const unsigned level_;
  sync::mutex mu_;
};

}  // namespace lab
