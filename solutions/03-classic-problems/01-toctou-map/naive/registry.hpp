// Lab 03.01 toctou-map, NAIVE: every call locks, and each operation is built from those calls.
//
// The mistake people really make, and why it looks right: the class has a mutex and every member that
// touches the map locks it, so "the registry is thread-safe", and ThreadSanitizer agrees: no byte of the
// map is ever read or written without the lock. insert_if_absent() is then written the way one would
// write it for one thread, from the safe pieces: `if (contains(key)) return false; insert(key, value);
// return true;`. Each piece is safe; the pair is not. Between contains() and insert() the lock is free,
// and a second thread can run its own contains(), see the key absent too, and go on to insert: both are
// told they inserted, and the loser's value is either dropped or written over the winner's. take() has
// the same shape (find, then erase: two threads find the same value and both take it, the top-then-pop
// race), and get_or_create() returns the value it built even when another caller's was stored first.
//
// This is a race condition, not a data race: the answer a caller acts on was true when it was computed
// and false by the time it was used (time of check to time of use, TOCTOU). The gap is a few
// instructions wide, so a stress test on real threads almost never opens it; the explorer runs the
// schedule that does, on every run (RegistryTest.TwoInsertsOfOneKeyHaveOneWinner and the other sim
// tests). Play it yourself: `./conclab play 03.01`.
//
// Lesson: modules/03-classic-problems/01-races-and-interface-races.md.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Registry<Key, Value>: every member locks, so no data race; but its compound operations are NOT atomic.
template <class Key, class Value>
class Registry {
 public:
  bool insert_if_absent(const Key& key, Value value) {
    if (contains(key)) return false;  // the check, under the lock...
    insert(key, std::move(value));    // ...and the act, under the lock again: another thread fits between
    return true;
  }

  template <class Make>
  Value get_or_create(const Key& key, Make make) {
    if (std::optional<Value> found = find(key)) return *found;
    Value fresh = make();
    insert(key, fresh);  // may lose to a value another caller stored meanwhile...
    return fresh;        // ...and then this caller returns a value that is not the stored one
  }

  std::optional<Value> take(const Key& key) {
    std::optional<Value> found = find(key);  // the "top"...
    if (found) erase(key);                   // ...then the "pop": two takers can both find it first
    return found;
  }

  std::optional<Value> find(const Key& key) const {
    sync::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }

  std::size_t size() const {
    sync::lock_guard lock(mu_);
    return map_.size();
  }

 private:
  bool contains(const Key& key) const {
    sync::lock_guard lock(mu_);
    return map_.count(key) != 0;
  }

  void insert(const Key& key, Value value) {
    sync::lock_guard lock(mu_);
    map_.emplace(key, std::move(value));  // does nothing if key is there by now, and nobody is told
  }

  void erase(const Key& key) {
    sync::lock_guard lock(mu_);
    map_.erase(key);
  }

  mutable sync::mutex mu_;
  std::map<Key, Value> map_;  // guarded by mu_
};

}  // namespace lab
