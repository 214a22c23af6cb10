// Lab 02.05 double-checked locking, WRONG (no-recheck-under-lock): the pointer is checked once, before the lock.
//
// Why it looks right: the acquire load on the fast path, the release store after the build, the mutex around
// the build: every memory order is right, and checking the pointer a second time right after the first looks
// like a leftover. Single-threaded tests pass, and real threads rarely arrive together.
// Why it is wrong: two first callers both load null, both go for the lock; the first builds and publishes, and
// the second, once it has the lock, builds again: two builds, and the first table is overwritten (here leaked;
// had it been deleted, the first caller would hold a dangling reference). The explorer finds the schedule every
// run (DclTest.TwoFirstCallersBuildOnce). ThreadSanitizer sees nothing: there is no data race, only a
// check-then-act with the lock taken between the check and the act. "Double-checked" is not a figure of
// speech: the second check, under the lock, is what makes the build happen once. The fix: re-check under mu_.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::atomic is std::atomic), instrumented in the sim build

// LazyTable<Table>: get() may be called from any number of threads at once; once the table is built it takes no
// lock. The builder runs once, on the first get(); concurrent first callers wait on mu_. Everything the builder
// wrote happens-before every get() returns (table_'s release store and acquire load, or mu_). If the builder
// throws, nothing is published and the next get() builds again. The LazyTable owns the table and deletes it.
template <class Table>
class LazyTable {
 public:
  explicit LazyTable(std::function<void(Table&)> build) : build_(std::move(build)) {}
  LazyTable(const LazyTable&) = delete;
  LazyTable& operator=(const LazyTable&) = delete;

  ~LazyTable() {
    // relaxed: pairs with nothing. No get() runs during destruction, so whatever ended the callers (a join)
    // already orders their accesses, and the publishing store, before this load.
    delete table_.load(std::memory_order_relaxed);
  }

  const Table& get() {
    // The fast path. acquire: pairs with the release store in build_under_lock(). Reading that store's pointer,
    // this thread also sees every field the builder wrote before it.
    if (const Table* t = table_.load(std::memory_order_acquire)) return *t;
    return build_under_lock();
  }

 private:
  const Table& build_under_lock() {
    sync::lock_guard lock(mu_);
    auto fresh = std::make_unique<Table>();
    build_(*fresh);  // private to this thread; if it throws, fresh deletes it and nothing is published
    Table* built = fresh.release();
    // release: pairs with the acquire load on the fast path of get(). Made after the builder returned, so the
    // fields are complete before anyone can reach them.
    table_.store(built, std::memory_order_release);
    return *built;
  }

  const std::function<void(Table&)> build_;

  sync::mutex mu_;                        // serialises the building (and orders the re-check)
  sync::atomic<Table*> table_{nullptr};   // null until built; stored once, under mu_, with release
};

}  // namespace lab
