// Compiled only by the clang-tsa preset, which expects this file to FAIL to compile: it reads a field
// guarded by mu_ without holding mu_. If it ever compiles, the annotations in annotated_mutex.hpp have
// stopped working and -Wthread-safety proves nothing.
#include "conclab/annotated_mutex.hpp"

class Account {
 public:
  void deposit(long amount) {
    conclab::MutexLock lock(mu_);
    balance_ += amount;
  }
  long unsafe_balance() const { return balance_; }  // error: reading balance_ requires holding mu_

 private:
  mutable conclab::Mutex mu_;
  long balance_ CONCLAB_GUARDED_BY(mu_) = 0;
};

int main() {
  Account a;
  a.deposit(1);
  return static_cast<int>(a.unsafe_balance());
}
