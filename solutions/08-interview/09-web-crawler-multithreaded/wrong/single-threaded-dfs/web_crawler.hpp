// WRONG (drill 08.09): the recursive depth-first search found in many public answers.
// Correct URLs, each once; one thread, one download at a time. LeetCode's note says a single-threaded solution
// exceeds the time limit; here two fetches that wait for each other never meet.
#pragma once

#include <conclab/sync.hpp>
#include <html_parser.hpp>
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
    dfs(startUrl, htmlParser);  // BUG: every download in turn, on this thread
    return {seen_.begin(), seen_.end()};
  }

 private:
  void dfs(const std::string& url, HtmlParser& parser) {
    for (const std::string& next : parser.getUrls(url)) {
      if (hostname(next) == host_ && seen_.insert(next).second) dfs(next, parser);
    }
  }

  static std::string hostname(const std::string& url) {
    const std::size_t begin = 7;
    const std::size_t end = url.find('/', begin);
    return url.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  }

  std::string host_;
  std::unordered_set<std::string> seen_;
};

}  // namespace lab
