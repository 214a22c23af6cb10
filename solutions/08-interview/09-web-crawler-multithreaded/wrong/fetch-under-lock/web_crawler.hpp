// WRONG (drill 08.09): the worker keeps the mutex while it calls getUrls.
// "Hold the lock for the whole loop body: then nothing can go wrong." Nothing does, and nothing runs in parallel
// either: eight workers take turns at one mutex, so exactly one download runs at a time, the single-threaded crawl
// with extra steps.
#pragma once

#include <conclab/sync.hpp>
#include <cstddef>
#include <deque>
#include <html_parser.hpp>
#include <string>
#include <unordered_set>
#include <vector>

namespace lab {
namespace sync = conclab::sync;

// Solution::crawl: every URL reachable from startUrl with startUrl's hostname, each once, any order; at most
// kWorkers getUrls calls run at once; returns once every fetch has finished and nothing is left to fetch.
class Solution {
 public:
  static constexpr int kWorkers = 8;

  std::vector<std::string> crawl(std::string startUrl, HtmlParser htmlParser) {
    host_ = hostname(startUrl);
    seen_ = {startUrl};
    todo_ = {startUrl};
    pending_ = 1;
    {
      std::vector<sync::jthread> workers;
      for (int i = 0; i < kWorkers; ++i) workers.emplace_back([&] { work(htmlParser); });
    }  // joined: the crawl is over
    return {seen_.begin(), seen_.end()};
  }

 private:
  void work(const HtmlParser& parser) {
    sync::unique_lock lock(mu_);
    for (;;) {
      more_.wait(lock, [&] { return !todo_.empty() || pending_ == 0; });
      if (todo_.empty()) return;  // pending_ == 0: nothing queued and nothing being fetched
      std::string url = std::move(todo_.front());
      todo_.pop_front();
      std::vector<std::string> links = parser.getUrls(url);  // BUG: the download, with the lock held
      for (std::string& next : links) {
        if (hostname(next) == host_ && seen_.insert(next).second) {
          todo_.push_back(std::move(next));
          ++pending_;
          more_.notify_one();
        }
      }
      if (--pending_ == 0) more_.notify_all();  // url is done, after its links were counted: the crawl is over
    }
  }

  // "http://host/path" -> "host"; "http://host" -> "host". Compared whole: a prefix test would let
  // "http://news.yahoo.com.evil.org" pass for "news.yahoo.com".
  static std::string hostname(const std::string& url) {
    const std::size_t begin = 7;  // after "http://"
    const std::size_t end = url.find('/', begin);
    return url.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  }

  std::string host_;  // set before the workers start, read-only while they run
  sync::mutex mu_;
  std::unordered_set<std::string> seen_;  // guarded by mu_: every URL ever queued
  std::deque<std::string> todo_;          // guarded by mu_: URLs waiting for a worker
  int pending_ = 0;                       // guarded by mu_: URLs queued or being fetched
  sync::condition_variable more_;         // todo_ got a URL, or pending_ reached 0
};

}  // namespace lab
