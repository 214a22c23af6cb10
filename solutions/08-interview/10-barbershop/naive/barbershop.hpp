// Drill 08.10 barbershop, NAIVE: the busy-wait answer. The waiting room is guarded by a mutex when a customer
// sits down, but the barber and the customers wait by spinning on plain counters, read without the lock.
//
// The mistake people really make, and why it looks right: the balk decision is under the lock (so the chairs are
// never over-filled), and each wait is "loop until it is my turn", which at -O0 on x86 does end: the output of a
// demo is right. But the barber is supposed to SLEEP when nobody is there; this one burns a core checking an
// empty room. And every unlocked read of a counter that another thread writes is a data race: undefined
// behaviour (the compiler may hoist the read out of the loop at -O2 and spin forever), reported by
// ThreadSanitizer and by the explorer's plain-memory checker on every run. The barber's check of the queue
// without the lock is the sleeping barber's own classic bug: he looks, sees nobody, and acts on a stale look.
//
// Lesson: modules/08-interview/06-barbershop-and-smokers.md ("The barbershop").
#pragma once

#include <cstdint>
#include <deque>
#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Barbershop, as in the contract; NOT correct (the point of this version): its waits are data races.
class Barbershop {
 public:
  explicit Barbershop(int chairs) : chairs_(chairs) {}
  Barbershop(const Barbershop&) = delete;
  Barbershop& operator=(const Barbershop&) = delete;

  bool customer(int id, std::function<void()> getHairCut) {
    std::int64_t ticket = 0;
    {
      sync::lock_guard lock(mu_);
      if (static_cast<int>(queue_.size()) >= chairs_) return false;
      ticket = seated_++;
      queue_.push_back(id);
    }
    while (called_ <= ticket) sync::this_thread::yield();  // BUG: reads called_ without mu_
    getHairCut();
    while (cut_ <= ticket) sync::this_thread::yield();     // BUG: reads cut_ without mu_
    sync::lock_guard lock(mu_);
    ++left_;
    return true;
  }

  void barber(int count, std::function<void(int)> cutHair) {
    for (int i = 0; i < count; ++i) {
      while (queue_.empty()) sync::this_thread::yield();  // BUG: looks at the queue without mu_, and never sleeps
      int id = 0;
      std::int64_t ticket = 0;
      {
        sync::lock_guard lock(mu_);
        id = queue_.front();
        queue_.pop_front();
        ticket = called_++;
      }
      cutHair(id);
      {
        sync::lock_guard lock(mu_);
        ++cut_;
      }
      while (left_ <= ticket) sync::this_thread::yield();  // BUG: reads left_ without mu_
    }
  }

  int waiting() const {
    sync::lock_guard lock(mu_);
    return static_cast<int>(queue_.size());
  }

 private:
  const int chairs_;
  mutable sync::mutex mu_;
  std::deque<int> queue_;    // written under mu_, but the barber also reads it without
  std::int64_t seated_ = 0;  // guarded by mu_
  std::int64_t called_ = 0;  // written under mu_, read by spinning customers without it
  std::int64_t cut_ = 0;     // written under mu_, read by spinning customers without it
  std::int64_t left_ = 0;    // written under mu_, read by the spinning barber without it
};

}  // namespace lab
