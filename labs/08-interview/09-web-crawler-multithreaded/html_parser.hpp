// Drill 08.09: the HtmlParser the tests hand to Solution::crawl (LeetCode 1242's interface). Do not edit: the
// tests build the web behind it.
//
//   std::vector<std::string> getUrls(std::string url)   the links on page `url`, in the page's order; a blocking
//                                                      call (a page download). Thread-safe: call it from as many
//                                                      threads as you like, on copies of the parser or on one.
//
// A parser is cheap to copy (every copy shares one web). Behind it, the tests count what a crawler does: how many
// times each page was fetched, how many fetches were in flight at once, and they can hold a fetch at a gate (to
// make two fetches overlap, or to check that crawl() waits for a fetch that is still running).
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace lab {

// The web a test builds, and what it saw of the crawler. Test-side; a crawler only sees HtmlParser.
struct Web {
  std::map<std::string, std::vector<std::string>> pages;  // url -> its links; a url not here has no links

  std::mutex mu;
  std::condition_variable changed;     // notified whenever a fetch starts or ends, or the test moves
  std::map<std::string, int> fetches;  // guarded by mu: url -> how many times getUrls(url) was called
  int in_flight = 0;                   // guarded by mu: getUrls calls running now
  int max_in_flight = 0;               // guarded by mu: the most at once so far
  bool crawl_returned = false;         // guarded by mu: set by the test when crawl() has returned
  // Called by getUrls(url) with mu held, after the fetch has been counted in in_flight and before it returns: a
  // test's gate, which may wait on `changed` (with a patience: it must never hang a correct crawler).
  std::function<void(const std::string& url, std::unique_lock<std::mutex>& lock)> gate;
};

class HtmlParser {
 public:
  explicit HtmlParser(std::shared_ptr<Web> web) : web_(std::move(web)) {}

  std::vector<std::string> getUrls(std::string url) const {
    std::unique_lock lock(web_->mu);
    ++web_->fetches[url];
    ++web_->in_flight;
    web_->max_in_flight = std::max(web_->max_in_flight, web_->in_flight);
    web_->changed.notify_all();
    if (web_->gate) web_->gate(url, lock);
    std::vector<std::string> links;
    if (auto it = web_->pages.find(url); it != web_->pages.end()) links = it->second;
    --web_->in_flight;
    web_->changed.notify_all();
    return links;
  }

 private:
  std::shared_ptr<Web> web_;
};

}  // namespace lab
