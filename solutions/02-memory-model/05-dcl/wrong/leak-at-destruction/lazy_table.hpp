// Lab 02.05 double-checked locking, WRONG (leak-at-destruction): final without the destructor.
//
// Why it looks right: the table is published through a raw atomic pointer, and "a lazily built table lives as
// long as the program anyway"; every test of the publication passes, on every thread and in every build.
// Why it is wrong: a LazyTable is an object like any other, with its own lifetime: create a thousand (one per
// connection, per request, per test) and a thousand tables leak. sync::atomic<Table*> owns nothing; whoever
// stores a `new`ed pointer in it must delete it. The default build catches it every run: the test's table type
// counts its live instances (DclTest.DestroyingTheLazyTableDestroysItsTable,
// DclTest.ABuilderThatThrowsPublishesNothingAndTheNextGetBuildsAgain); LeakSanitizer (part of AddressSanitizer,
// `-fsanitize=address`) reports the lost block at exit. The fix: `~LazyTable() { delete table_.load(...); }`,
// or a std::unique_ptr that owns the table beside the atomic pointer that publishes it.
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
