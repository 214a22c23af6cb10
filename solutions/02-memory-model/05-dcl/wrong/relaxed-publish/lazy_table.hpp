// Lab 02.05 double-checked locking, WRONG (relaxed-publish): final, with the pointer published by a relaxed store.
//
// Why it looks right: the fast path loads with acquire, the store is made under the mutex after the builder
// returned, and "the mutex's unlock is a release anyway, so the store needs no order of its own". On x86 every
// store is a release store in hardware, so nothing ever goes wrong here.
// Why it is wrong: an acquire load synchronises only with a release store (or release sequence) whose value it
// reads. The unlock of mu_ releases to the next thread that LOCKS mu_, and a fast-path reader never does. A
// reader that reads the relaxed store's pointer is ordered after nothing, so its reads of the fields race with
// the builder's writes: the explorer reports the race or shows a stale field
// (DclTest.EveryCallerSeesTheFieldsTheBuilderWrote, DclTest.NoStaleFieldThroughAFreshPointer), ThreadSanitizer
// reports it in DclTest.AReaderThatFindsThePointerSetIsOrderedAfterTheBuild. A release store and an acquire
// load come in pairs: each is useless without the other. The fix: release.
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
    // The re-check. relaxed: pairs with nothing; the only store to table_ is made under mu_, and mu_ orders
    // this load after it. Another caller may have built the table while this one waited for the lock.
    if (const Table* t = table_.load(std::memory_order_relaxed)) return *t;
    auto fresh = std::make_unique<Table>();
    build_(*fresh);  // private to this thread; if it throws, fresh deletes it and nothing is published
    Table* built = fresh.release();
    // relaxed: we hold mu_, and unlocking it is a release (the bug: a fast-path reader never locks mu_).
    table_.store(built, std::memory_order_relaxed);
    return *built;
  }

  const std::function<void(Table&)> build_;

  sync::mutex mu_;                        // serialises the building (and orders the re-check)
  sync::atomic<Table*> table_{nullptr};   // null until built; stored once, under mu_, with release
};

}  // namespace lab
