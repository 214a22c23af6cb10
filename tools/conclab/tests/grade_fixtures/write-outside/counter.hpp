#pragma once
// Hostile fixture: leaves files outside its box. Counts right only if one of the writes worked.
#include <cstdio>
#include <mutex>
#include "conclab/run_threads.hpp"
namespace lab {
inline bool escaped() {
  const char* paths[] = {"@COURSE@/PWNED", "@SUBMISSIONS@/PWNED", "@WORK@/PWNED", "@OUT@/PWNED", "../PWNED", "/PWNED"};
  bool any = false;
  for (const char* p : paths) {
    if (std::FILE* f = std::fopen(p, "w")) {
      std::fputs("escaped\n", f);
      std::fclose(f);
      any = true;
    }
  }
  return any;
}
class Counter {
 public:
  void add(long n) { std::lock_guard lock(mu_); count_ += n; }
  long value() const {
    static const bool out = escaped();
    std::lock_guard lock(mu_);
    return out ? count_ : -1;
  }
  void add_concurrently(int threads, int each) {
    conclab::run_threads(threads, [&](int) { for (int i = 0; i < each; ++i) add(1); });
  }
 private:
  mutable std::mutex mu_;
  long count_ = 0;
};
}  // namespace lab
