// Lab 03.01 toctou-map, FINAL: the same decisions as improved, with lookups under a shared lock.
//
// What changed from improved, and why: a registry is read far more often than it is written (a service
// is created once and looked up on every request), and in improved every find() and every get_or_create()
// hit queued on the one mutex, one reader at a time. Here mu_ is a sync::shared_mutex: find(), size() and
// the first look of get_or_create() take it shared (any number of readers at once); insert_if_absent(),
// take() and the insert of get_or_create() take it exclusive. Every decision is still made under one lock
// held from the check to the act: the shared look in get_or_create() decides nothing about inserting; the
// exclusive try_emplace() afterwards decides (that is double-checked locking done right: both checks are
// under a lock, and the second one is the act itself).
//
// A trap on the way here: a shared lock cannot be upgraded. Holding mu_ shared and then locking it
// exclusive waits for every shared holder to leave, itself included: a deadlock on one thread. So the
// shared lock is released before make() runs, and the exclusive one is taken afresh.
//
// The trade-off the contract states: make() runs with no lock held (it is code the registry does not know:
// it may be slow, and it may call this registry), so two callers that miss at once both build a value and
// one is thrown away. What an expert would still do differently in production: where building twice is too
// costly (a connection, a large cache), store a "being built" entry (a shared future) under the lock, let
// the one caller that stored it run make() outside the lock, and have the others wait on the future: make()
// then runs once per key, still outside the lock (single flight; watch for a factory that waits on its own
// key). For a hot read path, shard the map (N maps, each with its own lock, chosen by hash) so that readers
// of different keys do not even share the lock's cache line. And glibc's shared_mutex can let a stream of
// readers starve a writer (lesson 05 of this module measures it).
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

// Registry<Key, Value>: a map that any number of threads may use at once. Value is copied out (returned by
// value: never a reference into the map, which another thread could erase).
//   insert_if_absent(k, v): stores v if k is absent; true for the call that stored it. Of several callers
//       racing with the same absent key, exactly one gets true, and the value stored is that caller's.
//   get_or_create(k, make): returns the value stored for k, storing make()'s result first if k is absent.
//       Every caller gets the value that is stored (all racing callers get the same one). make() runs with
//       no lock held, so it may use this registry for OTHER keys (not k itself: that would never end); it
//       runs only in a call that found k absent, so when callers race it may run more than once, and the
//       results that lose are destroyed unused. If make() throws, nothing is stored and the exception
//       leaves get_or_create.
//   take(k): removes k and returns its value; of several racing callers, exactly one gets the value.
//   find(k), size(): a copy of the value / the count at one moment; stale as soon as they return.
// Readers (find, size, get_or_create of a stored key) run in parallel; writers run one at a time.
template <class Key, class Value>
class Registry {
 public:
  bool insert_if_absent(const Key& key, Value value) {
    sync::lock_guard lock(mu_);  // exclusive
    return map_.try_emplace(key, std::move(value)).second;  // the check and the insert, one decision
  }

  template <class Make>
  Value get_or_create(const Key& key, Make make) {
    {
      sync::shared_lock lock(mu_);  // a look only: it decides nothing about inserting
      if (auto it = map_.find(key); it != map_.end()) return it->second;
    }  // released before make(): never unknown code under a lock, and never "upgrade" a shared lock
    Value fresh = make();
    sync::lock_guard lock(mu_);  // exclusive: the decision
    return map_.try_emplace(key, std::move(fresh)).first->second;  // ours if first, else the winner's
  }

  std::optional<Value> take(const Key& key) {
    sync::lock_guard lock(mu_);  // exclusive: the find and the erase are one decision
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    std::optional<Value> out(std::move(it->second));
    map_.erase(it);
    return out;
  }

  std::optional<Value> find(const Key& key) const {
    sync::shared_lock lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;  // copied while the lock is held
  }

  std::size_t size() const {
    sync::shared_lock lock(mu_);
    return map_.size();
  }

 private:
  mutable sync::shared_mutex mu_;  // exclusive to change map_, shared to read it
  std::map<Key, Value> map_;       // guarded by mu_
};

}  // namespace lab
