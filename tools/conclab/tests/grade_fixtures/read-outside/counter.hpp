#pragma once
// Hostile fixture: reads outside its box at run time. Counts right only if one of the files opened.
#include <cstdio>
#include <mutex>
#include "conclab/run_threads.hpp"
namespace lab {
inline bool peeked() {
  const char* paths[] = {
      "../solutions/99-fixture/01-counter/final/counter.hpp",
      "../../solutions/99-fixture/01-counter/final/counter.hpp",
      "@COURSE@/solutions/99-fixture/01-counter/final/counter.hpp",
      "@SUBMISSIONS@/pass/counter.hpp",
      "@SRC@/tools/conclab/tests/fixture/solutions/99-fixture/01-counter/final/counter.hpp",
      "@SRC@/CMakeLists.txt",
  };
  for (const char* p : paths) {
    if (std::FILE* f = std::fopen(p, "r")) {
      std::fclose(f);
      std::printf("LEAKED: %s\n", p);
      return true;
    }
  }
  return false;
}
class Counter {
 public:
  void add(long n) { std::lock_guard lock(mu_); count_ += n; }
  long value() const {
    static const bool cheated = peeked();
    std::lock_guard lock(mu_);
    return cheated ? count_ : -1;
  }
  void add_concurrently(int threads, int each) {
    conclab::run_threads(threads, [&](int) { for (int i = 0; i < each; ++i) add(1); });
  }
 private:
  mutable std::mutex mu_;
  long count_ = 0;
};
}  // namespace lab
