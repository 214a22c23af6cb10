// Lab 02.05 double-checked locking, NAIVE: the classic double-checked locking, with a plain pointer.
//
// The mistake people really make, and why it looks right: get() checks the pointer without the lock (the
// common case, the table already built, costs one load and a branch), takes the mutex only when the pointer
// is null, checks again under the mutex (another caller may have built the table while this one waited), and
// only then builds. It even gets the order of the slow path right: the table is filled in while it is private
// to this thread (a std::unique_ptr, so a builder that throws leaks nothing and publishes nothing), and the
// pointer is assigned last. Every test on one thread passes, and on x86 every test on real threads too.
//
// Why it is wrong: the first check reads table_ with no lock while another thread may be writing it under the
// lock. Two unordered accesses to one plain variable, one a write, are a data race: undefined behaviour,
// whatever the CPU does. Concretely, nothing orders the builder's writes to the table's FIELDS before a
// fast-path reader's reads of them. The builder's unlock does not help a reader that never locks; and the
// compiler (or an ARM or POWER core) may make the pointer visible before the fields, because as far as one
// thread can tell, the order of two plain stores to different places does not matter. This is Meyers and
// Alexandrescu's "C++ and the Perils of Double-Checked Locking" (2004): in C++03 there was no way to write it
// correctly; since C++11 there is, with an atomic pointer (improved, then final).
//
// ThreadSanitizer reports the race in every run of DclTest.AReaderThatFindsThePointerSetIsOrderedAfterTheBuild;
// the explorer (sim build) reports it on the first schedule where one caller reads table_ on its fast path
// while the other writes it, naming both lines.
//
// Lesson: modules/02-memory-model/05-safe-publication.md ("Why the classic double-checked locking is broken").
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// NOT thread-safe: the unlocked read of table_ races with its write under mu_ (that is the point of this
// version). Otherwise the contract of the starter: built once on the first get(), retried after a throw,
// destroyed with the LazyTable.
template <class Table>
class LazyTable {
 public:
  explicit LazyTable(std::function<void(Table&)> build) : build_(std::move(build)) {}
  LazyTable(const LazyTable&) = delete;
  LazyTable& operator=(const LazyTable&) = delete;
  ~LazyTable() { delete table_; }

  const Table& get() {
    if (table_ == nullptr) {  // BUG: a plain read, racing with the write below in another thread
      sync::lock_guard lock(mu_);
      if (table_ == nullptr) {  // the re-check, under the lock: right
        auto fresh = std::make_unique<Table>();
        build_(*fresh);           // if this throws, fresh deletes the table and nothing was published
        table_ = fresh.release();  // plain store: orders nothing for a reader that does not lock
      }
    }
    return *table_;
  }

 private:
  const std::function<void(Table&)> build_;

  sync::mutex mu_;           // serialises the building
  Table* table_ = nullptr;   // written under mu_, but read without it on the fast path
};

}  // namespace lab
