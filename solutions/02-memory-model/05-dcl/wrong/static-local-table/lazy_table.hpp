// Lab 02.05 double-checked locking, WRONG (static-local-table): the table is a function-local static, filled in
// by the first get() of each LazyTable.
//
// Why it looks right: since C++11 a function-local static is initialised exactly once, thread-safely ("magic
// statics", [stmt.dcl]/4): the textbook answer to lazy initialisation, and the lesson itself recommends it. The
// builder is a member, so it cannot be the static's initialiser; so get() keeps a `static Table table;` and
// fills it in once, with a correct double check on an atomic "filled" flag, acquire and release.
// Why it is wrong: a function-local static in a member function is ONE variable for the whole program (one per
// Table type), shared by every LazyTable<Table>, and it lives until the program exits. A second LazyTable finds
// its own flag unset and runs its builder on the same table, rewriting a table that a reader of the first one
// holds; the table outlives its LazyTable, and its destructor never runs with it. The default build catches
// it on every run: DclTest.EachLazyTableHasItsOwnTable (two LazyTables, one table), and the tests that count live
// tables (ABuilderThatThrows..., DestroyingTheLazyTableDestroysItsTable). A magic static suits one global table;
// a per-object table needs per-object state (an atomic pointer, or a std::once_flag member).
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
    static Table table;  // "magic static": constructed once, thread-safely (the bug: once per PROGRAM)
    // The fast path. acquire: pairs with the release store of filled_ below.
    if (filled_.load(std::memory_order_acquire)) return table;
    sync::lock_guard lock(mu_);
    // The re-check. relaxed: pairs with nothing; the only store to filled_ is made under mu_.
    if (!filled_.load(std::memory_order_relaxed)) {
      build_(table);  // if this throws, filled_ stays false and the next get() fills it again
      // release: pairs with the acquire load on the fast path above.
      filled_.store(true, std::memory_order_release);
    }
    return table;
  }

 private:
  const std::function<void(Table&)> build_;

  sync::mutex mu_;                        // serialises the filling (and orders the re-check)
  sync::atomic<bool> filled_{false};      // this LazyTable has filled the (shared!) static table
};

}  // namespace lab
