// Lab 03.01 toctou-map, WRONG (insert-or-assign): insert_if_absent() is one locked call, but the call is
// `map_.insert_or_assign(key, value)`, and it returns the `.second` that says whether the key was new.
//
// Why it looks right: the check and the act are one call under one lock, the return value is true for
// exactly one caller (the one that found the key absent), and every single-winner count passes. Why it is
// wrong: insert_or_assign() assigns when the key is present, so the LOSER still writes: its value replaces
// the winner's, and the caller told "you inserted" now owns a key whose value is someone else's (last writer
// wins). "If absent" means a present key is left alone: try_emplace() (or emplace()) changes nothing when the
// key is there. Caught with one thread (RegistryTest.InsertIfAbsentStoresTheFirstValueAndRefusesTheRest), and by
// RegistryTest.TwoInsertsOfOneKeyHaveOneWinner (the winner's value must be the one stored) under the explorer and
// on real threads alike: whichever caller comes second overwrites, in every order.
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
    return map_.insert_or_assign(key, std::move(value)).second;  // BUG: a present key is overwritten
  }

  template <class Make>
  Value get_or_create(const Key& key, Make make) {
    {
      sync::lock_guard lock(mu_);
      if (auto it = map_.find(key); it != map_.end()) return it->second;  // a hit: make() never runs
    }
    Value fresh = make();  // no lock held: make() may call this registry
    sync::lock_guard lock(mu_);
    // Decide again: another caller may have stored k while make() ran. try_emplace keeps the first value
    // stored, and we return whatever is stored, ours or the winner's.
    return map_.try_emplace(key, std::move(fresh)).first->second;
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
