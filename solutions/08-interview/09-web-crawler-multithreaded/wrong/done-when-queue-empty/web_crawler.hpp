// WRONG (drill 08.09): a worker leaves as soon as it finds the queue empty.
// "No URL waiting means the crawl is over." Not while another worker is downloading a page: its links will
// refill the queue. Here the other workers leave while the first page is being fetched, and the one that fetched
// it crawls the rest of the web alone, one page at a time. (A crawl() that returns when the queue is empty loses
// those pages outright.) Count queued-or-fetching URLs and stop at 0.
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
      if (todo_.empty()) return;  // BUG: "no work left", while another worker's fetch may still refill the queue
      std::string url = std::move(todo_.front());
      todo_.pop_front();
      lock.unlock();
      std::vector<std::string> links = parser.getUrls(url);  // the slow part, without the lock
      lock.lock();
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
