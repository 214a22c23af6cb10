// Drill 08.09: a multithreaded web crawler, LeetCode 1242's contract.   Attempt it: ./conclab drill 08.09
// Lesson: modules/08-interview/05-philosophers-and-crawlers.md.
//
// crawl(startUrl, htmlParser) returns every URL reachable from startUrl by following links (htmlParser.getUrls,
// a blocking call: see html_parser.hpp) whose HOSTNAME is exactly startUrl's, each once, in any order, startUrl
// included. Every URL looks like http://hostname/path or http://hostname (no port, no https); the hostname is
// what lies between "http://" and the next '/' (or the end).
//
//   - Fetch pages in parallel: a crawler that fetches one page at a time is too slow (the tests make two fetches
//     wait for each other, and a one-thread crawler never gets there).
//   - Never have more than 16 getUrls calls running at once (a pool, not a thread per URL).
//   - Return only when the crawl is over: no fetch still running, nothing left to fetch.
//   - Fetch each URL at most once, and never a page of another host.
#pragma once

#include <conclab/sync.hpp>
#include <html_parser.hpp>
#include <string>
#include <vector>

namespace lab {
namespace sync = conclab::sync;

class Solution {
 public:
  std::vector<std::string> crawl(std::string startUrl, HtmlParser htmlParser) {
    // TODO(lab): a work queue of URLs to fetch, a set of URLs already seen (under a sync::mutex), and a few worker
    // threads (at most 16) that take a URL, fetch its links WITHOUT holding the lock, and queue the new same-host
    // ones. Count the work not yet done (queued + being fetched): the crawl is over when that count is 0, not
    // when the queue is merely empty.
    (void)htmlParser;
    return {startUrl};
  }
};

}  // namespace lab
