// Lab 02.05 double-checked locking, IMPROVED: the mutex on every call.
//
// What changed from naive, and why: the unlocked first check is gone. Every get() locks mu_, checks, builds
// if needed, and unlocks. The check and the build are one critical section, so the table is built once; and
// the builder's unlock happens-before the next caller's lock of mu_, so every caller that finds the table
// built is ordered after every write the builder made to its fields. No data race remains, so
// ThreadSanitizer and the explorer are both quiet. The reference handed out is read after the unlock, which
// is safe only because the table is never changed once built.
//
// The price: every get(), forever, is a lock and an unlock, for something that happened once. On one thread
// that is a pair of uncontended atomic read-modify-writes; on two threads every reader WRITES the mutex's
// cache line, so readers on different cores take turns on it, and a reader that finds it taken may sleep in
// the kernel. `./conclab bench 02.05` measures it; final keeps this mutex for the build only.
//
// Lesson: modules/02-memory-model/05-safe-publication.md ("Publishing an object through a pointer").
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// LazyTable<Table>: get() may be called from any number of threads at once. The builder runs once, on the
// first get(), under mu_; concurrent first callers wait on mu_ and then find the table built. Every caller is
// ordered after the build by mu_ (the builder's unlock happens-before their lock). If the builder throws, the
// unique_ptr deletes the half-filled table and table_ stays empty, so the next get() builds again. The table
// is destroyed with the LazyTable.
template <class Table>
class LazyTable {
 public:
  explicit LazyTable(std::function<void(Table&)> build) : build_(std::move(build)) {}
  LazyTable(const LazyTable&) = delete;
  LazyTable& operator=(const LazyTable&) = delete;

  const Table& get() {
    sync::lock_guard lock(mu_);
    if (!table_) {
      auto fresh = std::make_unique<Table>();
      build_(*fresh);  // if this throws, fresh deletes the table, lock unlocks, table_ stays empty
      table_ = std::move(fresh);
    }
    return *table_;  // never modified once built: reading it after the unlock is safe
  }

 private:
  const std::function<void(Table&)> build_;

  sync::mutex mu_;                 // serialises the building, and orders every caller after it
  std::unique_ptr<Table> table_;   // guarded by mu_: empty until built, then never changed
};

}  // namespace lab
