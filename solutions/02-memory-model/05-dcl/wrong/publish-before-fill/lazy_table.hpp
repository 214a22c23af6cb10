// Lab 02.05 double-checked locking, WRONG (publish-before-fill): the pointer is stored, with release, before the
// builder fills the table in.
//
// Why it looks right: `p = new Table; p->fill();` is how half the singletons in the world were written, and the
// acquire/release pair is there: release store, acquire load. The table object exists once `new` returns, so
// the pointer points to a real object.
// Why it is wrong: release publishes the writes made BEFORE it. The builder's writes come after, so a reader
// that acquires the pointer is ordered after the table's construction (fields 0) and before, or unordered with,
// the builder's writes: it reads fields being written (a data race, which the explorer names, and a stale 0 it
// prints) - DclTest.EveryCallerSeesTheFieldsTheBuilderWrote, DclTest.NoStaleFieldThroughAFreshPointer. Worse,
// when the builder throws, the half-filled table stays published: nobody builds again, every get() returns it
// (DclTest.ABuilderThatThrowsPublishesNothingAndTheNextGetBuildsAgain, on every run, in every build). This is
// the bug Meyers and Alexandrescu showed a compiler may introduce by itself in `p = new T(...)` with a plain
// pointer; here it is written by hand. The fix: fill it in first, publish last.
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
    Table* built = new Table();
    // release: pairs with the acquire load on the fast path of get(). The table exists, so publish it...
    table_.store(built, std::memory_order_release);
    build_(*built);  // BUG: ...and fill it in after it is visible; if this throws, it stays published
    return *built;
  }

  const std::function<void(Table&)> build_;

  sync::mutex mu_;                        // serialises the building (and orders the re-check)
  sync::atomic<Table*> table_{nullptr};   // null until built; stored once, under mu_, with release
};

}  // namespace lab
