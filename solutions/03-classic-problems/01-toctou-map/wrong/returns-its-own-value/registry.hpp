// Lab 03.01 toctou-map, WRONG (returns-its-own-value): get_or_create() builds the value outside the lock and
// stores it with try_emplace() under the lock, as it should, and then returns the value it built.
//
// Why it looks right: make() runs with no lock held, try_emplace() never overwrites the winner, and with one
// thread (or callers that never overlap) the value built is the value stored, so every one-thread test
// passes. Why it is wrong: when two callers both miss, both build, one stores; the other's try_emplace() does
// nothing, and it returns its own, unstored value. Two callers of get_or_create("db") now hold two different
// "singletons", and one of them is in no registry. Return what is stored: try_emplace(...).first->second.
// The explorer runs the schedule where both miss, on every run (RegistryTest.TwoGetOrCreatesReturnTheSameValue).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Registry<Key, Value>: a map that any number of threads may use at once. Value is copied out (it is
// returned by value: never a reference into the map, which another thread could erase).
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

template <class Key, class Value>
class Registry {
 public:
  bool insert_if_absent(const Key& key, Value value) {
    sync::lock_guard lock(mu_);
    return map_.try_emplace(key, std::move(value)).second;  // the check and the insert, one decision
  }

  template <class Make>
  Value get_or_create(const Key& key, Make make) {
    {
      sync::lock_guard lock(mu_);
      if (auto it = map_.find(key); it != map_.end()) return it->second;  // a hit: make() never runs
    }
    Value fresh = make();  // no lock held: make() may call this registry
    sync::lock_guard lock(mu_);
    map_.try_emplace(key, fresh);
    return fresh;  // BUG: if another caller stored a value first, this one was not stored
  }

  std::optional<Value> take(const Key& key) {
    sync::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    std::optional<Value> out(std::move(it->second));
    map_.erase(it);  // under the same lock as the find: no second taker can find it
    return out;
  }

  std::optional<Value> find(const Key& key) const {
    sync::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;  // copied while the lock is held
  }

  std::size_t size() const {
    sync::lock_guard lock(mu_);
    return map_.size();
  }

 private:
  mutable sync::mutex mu_;  // mutable: find() and size() are const but still lock
  std::map<Key, Value> map_;  // guarded by mu_
};

}  // namespace lab
