// Lab 03.01 toctou-map, WRONG (unlocked-first-look): get_or_create() looks for the key WITHOUT the lock first
// ("a hit is the common case, and reading is harmless"), and only a miss takes the lock and try_emplace()s.
//
// Why it looks right: it is double-checked locking: the decision to insert is still taken under the lock by
// try_emplace(), so no value is ever stored twice, and the fast path skips the lock. Why it is wrong: the
// unlocked map_.find() walks the tree while another thread's try_emplace() rebalances it under the lock: a
// data race on the map's nodes (undefined behaviour: the walk can follow a half-rewritten pointer). A std::map
// is not safe to read while anyone writes it, however the writer locks. The first look must hold the lock too
// (shared, if you want readers in parallel: final). The explorer reports the race with both lines, on every run
// (RegistryTest.TwoGetOrCreatesReturnTheSameValue, RegistryTest.AThrowingFactoryLeavesTheKeyToTheNextCaller);
// ThreadSanitizer only when the two accesses meet.
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
    if (auto it = map_.find(key); it != map_.end()) return it->second;  // BUG: reads the map without the lock
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
