// Lab 03.01 toctou-map, FINAL: improved's decisions, and get_or_create() runs the factory once per key,
// still with no lock held ("single flight").
//
// What changed from improved, and why: improved calls make() outside the lock, which is right (make() is
// code the registry does not know: it may be slow, and it may call this registry), but it pays for that in
// the case the contract allows: two callers that miss at once both run make(), and one result is thrown
// away. For a factory that opens a connection or loads a file, the duplicate is real work, and a thundering
// herd of callers on a cold key multiplies it. Here the first caller to miss marks the key as "being built"
// (building_, under the lock), unlocks and runs make(); a caller that finds the key being built waits on
// built_ (a condition variable) instead of building, and looks again when woken. So make() runs once per key
// (once per successful build: if it throws, the mark is removed and a waiter takes over), no lock is held
// while it runs, and a factory may still use this registry for other keys.
//
// Every decision is still taken under mu_ from the look to the act: marking the key, and the final
// try_emplace(), which also copes with insert_if_absent() storing the key while make() ran (the value stored
// first wins, and the builder returns it). The wait is a predicate loop (a wakeup, spurious or for another key,
// only means "look again"), and notify_all() runs after the state changed, under the lock (module 01, lesson
// 03): the builder's erase of its mark and the notify are never separated by a window a waiter could miss.
//
// What an expert would still do differently in production: hand waiters a std::shared_future<Value> stored
// in the "being built" entry, so a waiter sleeps on its own key only (here every creation wakes every waiter,
// which is cheap for a registry built once but not for a hot cache), and shard the map (N maps with N locks,
// chosen by hash) so that lookups of different keys do not queue on one mutex. A factory that asks for its own
// key, directly or through a cycle of factories, now waits for itself forever instead of recursing forever:
// the contract forbids it either way; a debug build can detect it by recording the building thread. A
// std::shared_mutex for the lookups does not pay for lookups this short: every shared lock still writes the
// lock's cache line.
//
// Lesson: modules/03-classic-problems/01-races-and-interface-races.md ("Calling the factory outside the lock").
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
    std::optional<Value> fresh;
    try {
      fresh.emplace(make());
    } catch (...) {
      lock.lock();
      building_.erase(key);  // nothing stored: a waiter finds the key neither stored nor marked, and builds
      built_.notify_all();
      throw;
    }
    lock.lock();
    building_.erase(key);
    // insert_if_absent() may have stored the key meanwhile: the first value stored wins, and we return it.
    Value result = map_.try_emplace(key, std::move(*fresh)).first->second;
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
