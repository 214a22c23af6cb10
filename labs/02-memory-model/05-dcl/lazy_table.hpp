// Lab 02.05: double-checked locking, a table built on first use and then read by every thread without a lock.
// Lesson: modules/02-memory-model/05-safe-publication.md   Check: ./conclab check 02.05
//
// lab::LazyTable<Table> owns one Table (an expensive, read-only lookup table: routes, prices, a parsed
// configuration). It is not built in the constructor but by the first get(), which default-constructs a
// Table and hands it to the builder the test supplies (`build(table)` fills in its fields). Every get()
// after that returns the same table, and since the table never changes again, the threads that read it
// need no lock: the one question is how a thread that finds the table built can be sure it sees the
// builder's writes to its FIELDS, not only the pointer to it. That is what this lab is about.
//
// The starter below is right on one thread only, and not even there:
//   - two threads that call get() at the same time can both find no table and both build one;
//   - a thread that finds the pointer set is not ordered after the builder's writes: reading the pointer
//     without a lock while another thread writes it is a data race, and so is reading the fields;
//   - if the builder throws, the half-filled table is published anyway (the next get() returns it), and
//     nothing ever deletes the table (a leak).
//
// Lab 01.04 (lazy init) made a value "built once" with a mutex and an atomic flag. Here the object is reached
// THROUGH the pointer, so the pointer itself is the flag: solve it first with a mutex on every call, then
// make the built case lock-free with double-checked locking on a sync::atomic<Table*>, choosing the memory
// order of each operation and writing, next to it, which operation it pairs with. The sim tests run under
// the explorer, which follows the C++ memory model (not x86's): a missing acquire or release shows up there
// as a data race or as a stale field, even though this machine would never show it. `./conclab bench 02.05`
// measures what one get() costs once the table is built.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp):
// sync::mutex is std::mutex, sync::atomic is std::atomic, and so on; in the sim build they are
// instrumented so that the explorer can try every schedule. std::call_once and function-local statics
// are the production answer (the lesson measures them), but the explorer cannot see inside them: build
// "once" from sync::mutex and sync::atomic here.
#pragma once

#include <functional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// LazyTable<Table>: one Table, built by the first get().
//
// Contract:
//   - get() may be called from any number of threads at once.
//   - The builder runs on the first get() only (never in the constructor), exactly once: a caller that
//     arrives while it runs waits for it and does not build again. Every get() returns a reference to the
//     same Table, which is never changed afterwards.
//   - Happens-before: everything the builder wrote happens-before every get() returns, so every caller
//     sees every field filled in.
//   - If the builder throws, get() lets the exception out and publishes nothing (the half-filled table is
//     destroyed); a later get() builds again.
//   - The destructor destroys the table (if one was built). Nobody may call get() during or after it.
//   - Each LazyTable has its own table: two LazyTables with different builders never share one.
template <class Table>
class LazyTable {
 public:
  explicit LazyTable(std::function<void(Table&)> build) : build_(std::move(build)) {}
  LazyTable(const LazyTable&) = delete;
  LazyTable& operator=(const LazyTable&) = delete;

  // TODO(lab): a destructor that deletes the table, if one was built (nobody calls get() any more by then).

  const Table& get() {
    // TODO(lab): check-then-act with no synchronisation: two first callers both build, and reading
    // table_ while another thread writes it is a data race. First make it correct: a sync::mutex held
    // from the check to the end of the build (sync::lock_guard). Then make the built case lock-free:
    // table_ becomes a sync::atomic<Table*>, loaded on the fast path without the lock and checked again
    // under it. Which memory order must the fast path's load have, and the store that publishes the
    // pointer, for a reader to see the FIELDS the builder wrote? Name each one's pair in a comment.
    if (table_ == nullptr) {
      table_ = new Table();
      // TODO(lab): if build_ throws, this half-filled table stays published (the next get() returns it)
      // and is never deleted. Fill it while it is still private to this thread (a std::unique_ptr), and
      // publish the pointer only once the builder has returned.
      build_(*table_);
    }
    return *table_;
  }

 private:
  const std::function<void(Table&)> build_;

  // TODO(lab): the mutex that serialises the building goes right above what it guards.
  Table* table_ = nullptr;  // null until built; owned by this LazyTable
};

}  // namespace lab
