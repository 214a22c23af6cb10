// Drill 08.09 web crawler (LeetCode 1242), FINAL: a pool of workers, a shared queue, and a count of unfinished
// work for termination.
//
// What changed from improved, and why: improved waited for the slowest page of each level before starting the
// next. Here a fixed pool of workers shares one queue of URLs: a worker takes a URL, fetches it without the lock,
// and queues the new same-host links at once, so nobody waits for an unrelated slow page. The price is knowing
// when it is over: an empty queue is not the end while some worker is still downloading a page whose links will
// refill it. So `pending_` counts URLs queued or being fetched; a URL leaves the count only after its links are
// queued, and the crawl is over when the count reaches 0. That worker wakes everyone, and they all leave.
//
// What an expert would still do differently: cap in-flight fetches per host too (politeness), retry failed
// fetches with back-off, add a deadline and cancellation (a stop_token), and, beyond one machine, shard the URL
// space by hash over machines (see the lesson's follow-ups).
// Lesson: modules/08-interview/05-philosophers-and-crawlers.md.
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
