// Lab 02.05 double-checked locking, WRONG (leak-on-throw): the table is built through a raw `new`, so a builder
// that throws leaks it.
//
// Why it looks right: the order is right (build, then publish with release), the acquire load is right, and
// nothing is published when the builder throws, so the next get() builds again: every concurrency test passes.
// Why it is wrong: `Table* fresh = new Table(); build_(*fresh);` - when build_ throws, the exception leaves the
// function and the only pointer to the half-filled table goes with it: a leak on every failed build (and a
// builder that fails is exactly the one that is retried, again and again). The default build catches it every
// run: the test's table type counts its live instances
// (DclTest.ABuilderThatThrowsPublishesNothingAndTheNextGetBuildsAgain). The fix: hold it in a std::unique_ptr
// until it is published, and release() it only then.
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
    build_(*built);  // BUG: if this throws, nothing deletes the table
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
