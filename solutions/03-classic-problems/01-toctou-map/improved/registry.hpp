// Lab 03.01 toctou-map, IMPROVED: every operation decides and acts inside one critical section.
//
// What changed from naive, and why: naive built each operation from two locked calls (contains() then
// insert(); find() then erase()), and another thread could run between them, so two callers could both
// see a key absent and both be told they inserted it, or both take the same value. Here each operation
// holds mu_ from the check through the act, and the act reports its own result: try_emplace says whether
// it inserted, find-then-erase under one lock hands the value to one caller. The answer a caller gets is
// the answer the map gave at the moment it changed, not a guess made a moment earlier.
//
// get_or_create() is the one place where the operation cannot all be under the lock, because it calls
// make(), code the registry does not know. A factory called under mu_ that asks this registry for
// another key (a service built from its dependencies) would lock mu_ again on the same thread: a
// deadlock (sync::mutex is not recursive). So make() runs with no lock held, and the decision is taken
// afterwards, under the lock, by try_emplace: the first value stored wins, and a caller whose value lost
// returns the winner's and lets its own be destroyed. The price, stated in the contract: when two
// callers miss at once, both run make() (only one result is kept).
//
// What final changes: racing callers of one absent key run make() once (the others wait for its result),
// still with no lock held.
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
