// Drill 08.09 web crawler (LeetCode 1242), NAIVE: a breadth-first search on one thread.
//
// The answer found in many public solutions, and why it looks right: a queue, a visited set, the hostname check;
// it returns exactly the right URLs, and on a small web it is quick. But every getUrls is a blocking download, and
// it waits for each before starting the next: with a thousand pages of 15 ms each that is 15 s, where LeetCode
// expects the downloads to overlap ("a single-threaded solution will exceed the time limit"). The drill proves
// it without a clock: two pages' fetches wait for each other, and this crawler never has
// two running (WebCrawlerTest.FetchesPagesInParallel, CrawlIsNotOverWhileAFetchIsRunning).
// Lesson: modules/08-interview/05-philosophers-and-crawlers.md.
#pragma once

#include <conclab/sync.hpp>
#include <html_parser.hpp>
#include <queue>
#include <string>
#include <unordered_set>
#include <vector>

namespace lab {
namespace sync = conclab::sync;

// Solution::crawl: every URL reachable from startUrl with startUrl's hostname, each once, any order.
class Solution {
 public:
  std::vector<std::string> crawl(std::string startUrl, HtmlParser htmlParser) {
    const std::string host = hostname(startUrl);
    std::unordered_set<std::string> seen{startUrl};
    std::queue<std::string> todo;
    todo.push(startUrl);
    std::vector<std::string> found;
    while (!todo.empty()) {
      std::string url = std::move(todo.front());
      todo.pop();
      found.push_back(url);
      for (std::string& next : htmlParser.getUrls(url)) {  // one download at a time
        if (hostname(next) == host && seen.insert(next).second) todo.push(std::move(next));
      }
    }
    return found;
  }

 private:
  // "http://host/path" -> "host"; "http://host" -> "host".
  static std::string hostname(const std::string& url) {
    const std::size_t begin = 7;  // after "http://"
    const std::size_t end = url.find('/', begin);
    return url.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  }
};

}  // namespace lab
