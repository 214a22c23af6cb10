// WRONG (drill 08.09): a new thread for every URL found.
// Parallel and correct on a small web, and the first "multithreaded" answer many people write: every new link gets
// a std::jthread of its own that fetches it and starts threads for its links. Nothing bounds how many run at once:
// a page with 40 links starts 40 downloads at the same moment (a million for a big web), past the contract's 16.
#pragma once

#include <conclab/sync.hpp>
#include <html_parser.hpp>
#include <list>
#include <string>
#include <unordered_set>
#include <vector>

namespace lab {
namespace sync = conclab::sync;

class Solution {
 public:
  std::vector<std::string> crawl(std::string startUrl, HtmlParser htmlParser) {
    host_ = hostname(startUrl);
    seen_ = {startUrl};
    visit(startUrl, htmlParser);
    // Every thread that visit() started has been joined when it returned (each joins its own children).
    return {seen_.begin(), seen_.end()};
  }

 private:
  void visit(const std::string& url, const HtmlParser& parser) {
    std::vector<std::string> links = parser.getUrls(url);
    std::list<sync::jthread> children;
    for (std::string& next : links) {
      if (hostname(next) != host_) continue;
      {
        sync::lock_guard lock(mu_);
        if (!seen_.insert(next).second) continue;
      }
      children.emplace_back([this, next, &parser] { visit(next, parser); });  // BUG: one thread per URL, no bound
    }
  }  // joins the children

  static std::string hostname(const std::string& url) {
    const std::size_t begin = 7;
    const std::size_t end = url.find('/', begin);
    return url.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  }

  std::string host_;
  sync::mutex mu_;
  std::unordered_set<std::string> seen_;  // guarded by mu_
};

}  // namespace lab
