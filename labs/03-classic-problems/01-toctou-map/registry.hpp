// Lab 03.01: a registry (a thread-safe map) whose operations are each ONE decision.
// Lesson: modules/03-classic-problems/01-races-and-interface-races.md.   Check: ./conclab check 03.01
//
// Make lab::Registry<Key, Value> safe for any number of threads at once, with this contract:
//
//   insert_if_absent(k, v)  stores v if k is absent and returns true for the call that stored it. Of several
//                           threads racing with the same absent key, EXACTLY ONE gets true, and the value
//                           stored is that caller's (a present key is never overwritten).
//   get_or_create(k, make)  returns the value stored for k; if k is absent, calls make() to build one and
//                           stores it first. Every caller gets the value that is stored, so all racing callers
//                           get the SAME value. make() runs only in a call that found k absent, at most once
//                           per call; when callers race, more than one may run it, and only one result is kept.
//                           make() may itself call this registry for other keys (a service built from its
//                           dependencies), so it must run with no lock held. If make() throws, nothing is
//                           stored and the exception leaves get_or_create().
//   take(k)                 removes k and returns its value (nothing if absent); of several racing callers,
//                           exactly one gets the value.
//   find(k), size()         a copy of the value / the number of keys, true at one moment.
//
// "Every member locks" is not enough. If insert_if_absent() asks "is k there?" under the lock, unlocks, then
// locks again to insert, another thread can ask the same question in between: both hear "absent", both
// insert, both are told they won. No byte is touched without the lock, so ThreadSanitizer is silent; the
// explorer runs the schedule where the second thread fits in the gap (`./conclab explore 03.01`), and
// `./conclab play 03.01` lets you make it happen yourself. The check and the act must be one decision.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp):
// sync::mutex is std::mutex, sync::shared_mutex is std::shared_mutex, and so on. In the sim build they are
// instrumented so that the explorer can try every schedule of your threads.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

template <class Key, class Value>
class Registry {
 public:
  bool insert_if_absent(const Key& key, Value value) {
    // TODO(lab): store value under key if key is absent, and return whether THIS call stored it. Decide and
    // act under one lock: std::map::try_emplace() inserts only if the key is absent and tells you which
    // happened (.second). Do not overwrite a present key (insert_or_assign and operator[] do).
    (void)key;
    (void)value;
    return false;
  }

  template <class Make>
  Value get_or_create(const Key& key, Make make) {
    // TODO(lab): return the stored value for key; if there is none, build one with make() and store it. Call
    // make() with NO lock held (it may call this registry), then lock and let try_emplace() decide: if another
    // caller stored a value meanwhile, return that one (the stored one), not yours.
    (void)key;
    return make();
  }

  std::optional<Value> take(const Key& key) {
    // TODO(lab): remove key and return its value, or std::nullopt if absent. Find it and erase it under ONE
    // lock: two takers must never both get the same value.
    (void)key;
    return std::nullopt;
  }

  std::optional<Value> find(const Key& key) const {
    // TODO(lab): a copy of the value stored under key, or std::nullopt. Copy it while you hold the lock (a
    // reference into the map could be erased by another thread as soon as you unlock).
    (void)key;
    return std::nullopt;
  }

  std::size_t size() const {
    // TODO(lab): the number of keys, read under the lock (a std::map is not safe to read while another
    // thread changes it).
    return 0;
  }

 private:
  // TODO(lab): the mutex (mutable, so that find() and size() const can lock it), declared right above the
  // std::map<Key, Value> it guards.
};

}  // namespace lab
