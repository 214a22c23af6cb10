// Lab 02.05 double-checked locking, FINAL: an atomic pointer, acquire on the fast path, release to publish.
//
// What changed from improved, and why: improved locks mu_ on every get(), forever, to protect something that
// happens once. Here the pointer to the table is a sync::atomic<Table*>, and get() loads it first, without the
// lock. Once the table is built, a get() is that one load and a branch: no write to shared memory, so readers
// on different cores do not take turns on a cache line. Until then, callers take mu_ as in improved.
//
// The memory-order reasoning, operation by operation (each wrong variant in solutions/.../wrong/ breaks one):
//   - the build fills the table in while only this thread can reach it (a std::unique_ptr), and the pointer
//     is stored only after the builder has returned. Store it first and a reader gets a table whose fields
//     are still being written (wrong/publish-before-fill);
//   - that store is a RELEASE store: every write this thread made before it (the builder's writes to the
//     fields) becomes visible to a thread whose ACQUIRE load reads the stored pointer. A relaxed store
//     releases nothing (wrong/relaxed-publish);
//   - the fast path's load is that ACQUIRE load. A relaxed load reads the fresh pointer and nothing else:
//     the fields may still be stale (wrong/relaxed-fast-path). On x86 both compile to the same MOV, so only
//     the explorer, which follows the C++ memory model, tells them apart on this machine. (Reading the fields
//     THROUGH the pointer is a data dependency, and ARM and POWER do keep dependent loads in order; that is
//     what memory_order_consume was meant to exploit. C++ does not promise it for relaxed, and compilers
//     implement consume as acquire: see the lesson.)
//   - the re-check under mu_ may be relaxed: the only store to table_ is made under mu_, so a caller holding
//     mu_ is already ordered after it by the mutex. Without the re-check two first callers both build
//     (wrong/no-recheck-under-lock);
//   - a builder that throws leaves table_ null (the unique_ptr deletes the half-filled table on the way out
//     and lock_guard unlocks), so the next get() builds again: the same contract as std::call_once, whose
//     exceptional executions leave the once_flag unset ([thread.once.callonce]).
// This is the shape of what std::call_once and a function-local static do inside; the lesson measures both.
//
// What an expert would still do differently in production: for one global table, a function-local static
// (`static const Table t = make_table(); return t;`), which the compiler turns into this very pattern
// (__cxa_guard_acquire behind an acquire load of a guard byte); for a per-object table, std::call_once (or
// absl::call_once) with a std::optional<Table> member, tested by their authors. A hand-written double check
// only where a checker like this lab's explorer has tried it. And if building can block for long, ask whether
// callers should wait at all.
//
// Lesson: modules/02-memory-model/05-safe-publication.md ("Which order each operation needs").
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
