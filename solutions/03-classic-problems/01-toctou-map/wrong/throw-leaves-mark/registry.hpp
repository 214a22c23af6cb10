// Lab 03.01 toctou-map, WRONG (throw-leaves-mark): get_or_create() runs the factory once per key, as final does
// (the first caller to miss marks the key "being built", the others wait on a condition variable), but only the
// path where make() returns removes the mark and notifies.
//
// Why it looks right: the locking is final's, every decision is under the mutex, the wait has a predicate, the
// notify comes after the state change, and every test whose factories return passes on every schedule. Why it
// is wrong: when make() throws, the exception leaves get_or_create() with the key still in building_. Callers
// already waiting for that build sleep forever (nobody notifies them), and every later get_or_create() of the
// key finds the mark and waits too: one failed connection attempt blocks that key for good. Clean up on the
// exception path as on the normal one: catch, lock, erase the mark, notify_all(), rethrow (or a scope guard).
// Caught with one thread (RegistryTest.AThrowingFactoryStoresNothing, under a watchdog) and by the explorer
// (RegistryTest.AThrowingFactoryLeavesTheKeyToTheNextCaller: a waiter is left asleep).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Registry<Key, Value>: a map that any number of threads may use at once. Value is copied out (returned by
// value: never a reference into the map, which another thread could erase).
//   insert_if_absent(k, v): stores v if k is absent; true for the call that stored it. Of several callers
//       racing with the same absent key, exactly one gets true, and the value stored is that caller's.
//   get_or_create(k, make): returns the value stored for k, storing make()'s result first if k is absent.
//       Every caller gets the value that is stored (all racing callers get the same one). make() runs with no
//       lock held, so it may use this registry for OTHER keys (not k itself, directly or through other
//       factories: that waits forever). Racing callers of one absent key run make() ONCE: the others wait for
//       its result. If make() throws, nothing is stored, the exception leaves that call, and one waiting
//       caller (if any) runs its own make(). If insert_if_absent(k) stores k while make() runs, that value wins.
//   take(k): removes k and returns its value; of several racing callers, exactly one gets the value.
//   find(k), size(): a copy of the value / the count at one moment; stale as soon as they return. A key being
//       built is not stored yet: find() does not see it, and size() does not count it.
template <class Key, class Value>
class Registry {
 public:
  bool insert_if_absent(const Key& key, Value value) {
    sync::lock_guard lock(mu_);
    return map_.try_emplace(key, std::move(value)).second;  // the check and the insert, one decision
  }

  template <class Make>
  Value get_or_create(const Key& key, Make make) {
    sync::unique_lock lock(mu_);
    for (;;) {  // decide under the lock: stored (return it), being built (wait), or ours to build
      if (auto it = map_.find(key); it != map_.end()) return it->second;
      if (building_.count(key) == 0) break;
      built_.wait(lock);  // another caller runs make() for this key; look again when a build ends
    }
    building_.insert(key);  // the mark: from here on, other callers of this key wait for us
    lock.unlock();          // never unknown code under a lock
    Value fresh = make();  // BUG: if make() throws, the mark below is never removed and nobody is woken
    lock.lock();
    building_.erase(key);
    // insert_if_absent() may have stored the key meanwhile: the first value stored wins, and we return it.
    Value result = map_.try_emplace(key, std::move(fresh)).first->second;
    built_.notify_all();  // after the state changed, under the lock: no waiter can miss it
    return result;
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
  mutable sync::mutex mu_;   // mutable: find() and size() are const but still lock
  std::map<Key, Value> map_;  // guarded by mu_: the stored values
  std::set<Key> building_;    // guarded by mu_: keys whose make() is running in some get_or_create()
  sync::condition_variable built_;  // notified (under mu_) whenever a key leaves building_
};

}  // namespace lab
