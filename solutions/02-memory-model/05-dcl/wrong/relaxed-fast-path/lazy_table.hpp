// Lab 02.05 double-checked locking, WRONG (relaxed-fast-path): final, with the fast path's load relaxed.
//
// Why it looks right: table_ is a sync::atomic, so reading it without the lock is no data race on the pointer;
// the publishing store is still release; and on x86 a relaxed load and an acquire load are the same MOV, so
// every test on real threads passes and this machine can never show the bug. "The release store already
// orders the fields before the pointer, so the reader only needs the pointer."
// Why it is wrong: release orders nothing by itself. It makes the builder's writes visible to a thread whose
// ACQUIRE load reads the stored pointer; a relaxed load reads the pointer and acquires nothing, so this
// thread's reads of the fields are not ordered after the builder's writes. With plain fields that is a data
// race (the explorer names both lines; ThreadSanitizer reports it in
// DclTest.AReaderThatFindsThePointerSetIsOrderedAfterTheBuild); with fields the explorer can read stale, it
// shows the fresh pointer and a field still 0 (DclTest.NoStaleFieldThroughAFreshPointer). On ARM or POWER, or
// once the compiler hoists a field read above the load, it happens for real. The fix: acquire.
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
    // The fast path. relaxed: it is an atomic, and the store below is release, so it seems enough (the bug).
    if (const Table* t = table_.load(std::memory_order_relaxed)) return *t;
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
