#pragma once
// Hostile fixture: allocates 64 MB blocks and touches every page, forever.
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>
namespace lab {
class Counter {
 public:
  void add(long n) { std::lock_guard lock(mu_); count_ += n; }
  long value() const { std::lock_guard lock(mu_); return count_; }
  void add_concurrently(int, int) {
    constexpr std::size_t kBlock = std::size_t{64} << 20;
    std::vector<std::unique_ptr<char[]>> hoard;
    for (;;) {
      auto block = std::make_unique<char[]>(kBlock);
      std::memset(block.get(), 7, kBlock);
      sink_ = block[kBlock / 2];
      hoard.push_back(std::move(block));
    }
  }
 private:
  mutable std::mutex mu_;
  long count_ = 0;
  volatile char sink_ = 0;
};
}  // namespace lab
