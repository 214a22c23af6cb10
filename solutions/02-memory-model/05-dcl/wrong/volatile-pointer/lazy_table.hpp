// Lab 02.05 double-checked locking, WRONG (volatile-pointer): the classic double check with `Table* volatile`.
//
// Why it looks right: volatile tells the compiler that the pointer may change behind its back, so it reads it
// from memory every time and does not reorder it with other volatile accesses; in Java (since Java 5) a
// volatile field is exactly what makes double-checked locking correct, and many C++ articles once said the same.
// Why it is wrong: a C++ volatile is for memory-mapped hardware and signal handlers. It is not atomic, orders
// nothing with the builder's plain writes to the fields, and emits no fence: the unlocked read still races with
// the write under the lock, undefined behaviour exactly as with a plain pointer. Java's volatile is C++'s
// std::atomic with seq_cst, not C++'s volatile. ThreadSanitizer reports the race in every run of
// DclTest.AReaderThatFindsThePointerSetIsOrderedAfterTheBuild; the explorer on its first schedule where one
// caller reads table_ unlocked while the other writes it. The fix: sync::atomic<Table*>, acquire and release.
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

  ~LazyTable() { delete table_; }

  const Table& get() {
    // The fast path: volatile, so the compiler reads the pointer from memory every time (the bug).
    if (Table* t = table_) return *t;
    return build_under_lock();
  }

 private:
  const Table& build_under_lock() {
    sync::lock_guard lock(mu_);
    if (Table* t = table_) return *t;
    auto fresh = std::make_unique<Table>();
    build_(*fresh);  // private to this thread; if it throws, fresh deletes it and nothing is published
    Table* built = fresh.release();
    table_ = built;  // volatile store: not atomic, and it orders nothing
    return *built;
  }

  const std::function<void(Table&)> build_;

  sync::mutex mu_;                        // serialises the building (and orders the re-check)
  Table* volatile table_ = nullptr;       // "volatile: always read from memory" (not: thread-safe)
};

}  // namespace lab
