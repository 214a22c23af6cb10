// Graded tests for drill 08.09, web crawler multithreaded (LeetCode 1242). Lesson:
// modules/08-interview/05-philosophers-and-crawlers.md.
//
// The tests build a web behind the HtmlParser (html_parser.hpp) and call Solution::crawl on it. Besides the
// answer, they check what the crawler did: each page fetched at most once, no page of another host fetched, how
// many fetches ran at once. Parallelism is proved without a clock: some fetches wait at a gate until another
// fetch is running too, which a crawler that fetches one page at a time never achieves. The gates wait with a
// patience (conclab/watchdog.hpp's conclab::patience, stretched by CONCLAB_TIMEOUT_SCALE): it decides nothing for
// a correct crawler, only how long a broken one is given before the test says what it did.
//
// Not under the explorer (no sim tests): how many threads a crawler starts is the candidate's choice, and an
// exhaustive search over the schedules of a pool of 8 or 16 threads does not fit in seconds. ThreadSanitizer runs
// every test (a visited set touched without the lock is a data race it reports).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>
#include <web_crawler.hpp>

#include "conclab/watchdog.hpp"

namespace {

constexpr const char* kLesson = "modules/08-interview/05-philosophers-and-crawlers.md";
constexpr int kMaxInFlight = 16;  // the contract's bound on getUrls calls running at once

// How long a gate holds a fetch for something a correct crawler does at once (or, where said, never does).
const std::chrono::milliseconds kGatePatience = conclab::patience(std::chrono::milliseconds(300));
// How long a whole crawl may take before the test calls it stuck.
const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(5));

std::string list(const std::vector<std::string>& v) {
  std::ostringstream out;
  for (std::size_t i = 0; i < v.size(); ++i) out << (i ? ", " : "") << v[i];
  return v.empty() ? "(none)" : out.str();
}

struct CrawlRun {
  std::shared_ptr<lab::Web> web = std::make_shared<lab::Web>();
  std::vector<std::string> result;
  bool returned = false;
  bool overlapped = false;  // guarded by web->mu: a gated fetch saw another fetch running at the same time
  bool early = false;       // guarded by web->mu: crawl() returned while the start page was being fetched
  bool gave_up = false;     // guarded by web->mu: a gate's patience ran out once; the gates hold nobody after that
  int arrived = 0;          // guarded by web->mu: fetches that reached a meeting gate (meet() below)
  int woken = 0;            // guarded by web->mu: fetches that got through its first half
};

// A gate: holds a fetch (web->mu held in `lock`) until `ready()`, or until the gate's patience has run out once in
// this crawl (then it holds nobody any more, so a broken crawler pays the patience once, not once per page).
// Returns whether ready() came true.
template <typename Ready>
bool hold(CrawlRun* r, std::unique_lock<std::mutex>& lock, Ready ready) {
  if (r->gave_up) return ready();
  if (r->web->changed.wait_for(lock, kGatePatience, [&] { return ready() || r->gave_up; })) return ready();
  r->gave_up = true;
  r->web->changed.notify_all();
  return ready();
}

// Calls crawl(start) on a thread of its own under the watchdog; false if it did not return in time.
bool crawl(const std::shared_ptr<CrawlRun>& run, const std::string& start) {
  return conclab::returns_in_time(
      [run, start] {
        lab::Solution solution;
        std::vector<std::string> result = solution.crawl(start, lab::HtmlParser(run->web));
        std::lock_guard lock(run->web->mu);
        run->result = std::move(result);
        run->returned = true;
        run->web->crawl_returned = true;
        run->web->changed.notify_all();
      },
      kPatience);
}

// The answer must be `want`, each once; and no page may have been fetched twice, or off the start's host.
void expect_answer(const CrawlRun& run, std::vector<std::string> want, const std::string& host,
                   const std::string& what) {
  std::vector<std::string> got = run.result;
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  std::vector<std::string> dups;
  for (std::size_t i = 1; i < got.size(); ++i) {
    if (got[i] == got[i - 1]) dups.push_back(got[i]);
  }
  EXPECT_TRUE(dups.empty()) << what << ": crawl() returned these URLs more than once: " << list(dups)
                            << ". Each URL must be in the answer once: mark a URL as seen when you first queue it "
                               "(startUrl included), and queue only URLs not seen before. Read \"The crawler\" in "
                            << kLesson << '.';
  got.erase(std::unique(got.begin(), got.end()), got.end());
  std::vector<std::string> missing, extra;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
  EXPECT_TRUE(missing.empty() && extra.empty())
      << what << ": crawl() must return every URL reachable from the start whose hostname is exactly the start's ("
      << host << "), and nothing else.\n  missing: " << list(missing) << "\n  not wanted: " << list(extra)
      << "\nThe hostname is what lies between \"http://\" and the next '/' (or the end), compared whole: "
         "\"http://"
      << host << ".evil.org\" is another host. Read \"The crawler\" in " << kLesson << '.';
  std::vector<std::string> twice, foreign;
  for (const auto& [url, n] : run.web->fetches) {
    if (n > 1) twice.push_back(url + " (" + std::to_string(n) + " times)");
    if (std::find(want.begin(), want.end(), url) == want.end()) foreign.push_back(url);
  }
  EXPECT_TRUE(twice.empty()) << what << ": these pages were fetched more than once: " << list(twice)
                             << ". A crawler fetches each URL once: check and mark the visited set in one step, "
                                "under one lock. Read \"The crawler\" in "
                             << kLesson << '.';
  EXPECT_TRUE(foreign.empty()) << what << ": these pages were fetched although their host is not " << host << ": "
                               << list(foreign)
                               << ". Check the hostname before queueing a URL, not after fetching "
                                  "it. Read \"The crawler\" in "
                               << kLesson << '.';
}

// A meeting gate for two fetches: each waits until both are running, and then until both have woken, so that
// they return from getUrls together and neither has done anything in between that the other waited for. What the
// two workers do next (queue the pages' links) then happens at the same time, as far as ThreadSanitizer can tell:
// a visited set touched without the lock is reported on every run, not only when the scheduler overlaps them.
void meet(CrawlRun* r, std::unique_lock<std::mutex>& lock) {
  ++r->arrived;
  r->web->changed.notify_all();
  hold(r, lock, [&] { return r->arrived >= 2; });
  ++r->woken;
  r->web->changed.notify_all();
  hold(r, lock, [&] { return r->woken >= 2; });
}

TEST(WebCrawlerTest, StartPageWithNoLinks) {
  auto run = std::make_shared<CrawlRun>();
  ASSERT_TRUE(crawl(run, "http://a.com/"))
      << "crawl() on a web of one page with no links did not return in " << kPatience.count() / 1000.0
      << " s: with nothing to fetch after the "
         "first page, every worker must see that the crawl is over and leave.";
  std::lock_guard lock(run->web->mu);
  expect_answer(*run, {"http://a.com/"}, "a.com", "one page, no links");
}

// LeetCode-like: several hosts, links back to the start and to a page already seen. A chain (one page's links
// lead to one new page), so one fetch runs at a time here: concurrency is the later tests' business.
TEST(WebCrawlerTest, ReturnsEverySameHostPageOnce) {
  auto run = std::make_shared<CrawlRun>();
  run->web->pages = {
      {"http://news.yahoo.com/news/topics/", {"http://news.yahoo.com/news", "http://news.google.com"}},
      {"http://news.yahoo.com/news", {"http://news.yahoo.com/news/topics/", "http://news.yahoo.com/us"}},
      {"http://news.yahoo.com/us", {"http://news.yahoo.com", "http://news.yahoo.com/news/topics/"}},
      {"http://news.yahoo.com", {"http://news.yahoo.com/us", "http://news.yahoo.com/news"}},
      {"http://news.google.com", {"http://news.yahoo.com/hidden"}},
  };
  ASSERT_TRUE(crawl(run, "http://news.yahoo.com/news/topics/"))
      << "crawl() on five pages with cycles did not return in " << kPatience.count() / 1000.0
      << " s: does a worker wait for work that will never come, after the last page is done?";
  std::lock_guard lock(run->web->mu);
  expect_answer(*run,
                {"http://news.yahoo.com/news/topics/", "http://news.yahoo.com/news", "http://news.yahoo.com/us",
                 "http://news.yahoo.com"},
                "news.yahoo.com", "a web with cycles, a link back to the start, and another host");
}

TEST(WebCrawlerTest, HostnameMustMatchExactly) {
  auto run = std::make_shared<CrawlRun>();
  run->web->pages = {
      {"http://news.yahoo.com/a",
       {"http://news.yahoo.com.evil.org/b", "http://news.yahoo.comics/c", "http://yahoo.com/d",
        "http://sports.news.yahoo.com/e", "http://news.yahoo.com/f", "http://news.yahoo.com"}},
      {"http://news.yahoo.com.evil.org/b", {"http://news.yahoo.com/secret"}},
      {"http://news.yahoo.comics/c", {"http://news.yahoo.com/secret"}},
  };
  ASSERT_TRUE(crawl(run, "http://news.yahoo.com/a"))
      << "crawl() did not return in " << kPatience.count() / 1000.0 << " s on a web of three pages.";
  std::lock_guard lock(run->web->mu);
  expect_answer(*run, {"http://news.yahoo.com/a", "http://news.yahoo.com/f", "http://news.yahoo.com"}, "news.yahoo.com",
                "links to news.yahoo.com.evil.org, news.yahoo.comics, yahoo.com and sports.news.yahoo.com, all "
                "other hosts");
}

// Four pages whose fetches each wait until another fetch is running too: two downloads must overlap.
TEST(WebCrawlerTest, FetchesPagesInParallel) {
  auto run = std::make_shared<CrawlRun>();
  const std::vector<std::string> children = {"http://a.com/1", "http://a.com/2", "http://a.com/3", "http://a.com/4"};
  run->web->pages = {{"http://a.com/", children},
                     {"http://a.com/1", {"http://b.com/1"}},
                     {"http://a.com/2", {"http://b.com/2"}},
                     {"http://a.com/3", {"http://b.com/3"}},
                     {"http://a.com/4", {"http://b.com/4"}}};
  auto web = run->web.get();
  auto r = run.get();  // both outlive any fetch: the crawl's thread owns `run`
  run->web->gate = [web, r](const std::string& url, std::unique_lock<std::mutex>& lock) {
    if (url.size() != 14) return;  // only http://a.com/N waits
    if (hold(r, lock, [&] { return web->in_flight >= 2 || r->overlapped; })) r->overlapped = true;
  };
  ASSERT_TRUE(crawl(run, "http://a.com/")) << "crawl() did not return in " << kPatience.count() / 1000.0 << " s.";
  std::lock_guard lock(run->web->mu);
  run->web->gate = nullptr;
  EXPECT_TRUE(run->overlapped)
      << "the start page links to four pages, and their fetches waited (up to " << kGatePatience.count()
      << " ms) for another fetch to be running at the same time: it never happened, the most fetches running at "
         "once was "
      << run->web->max_in_flight
      << ". The crawler fetches one page at a time (one thread; or a lock held around getUrls, which serialises "
         "every worker; or workers that left when they found the queue empty while the first page was being "
         "fetched). Each getUrls is a slow download: run several at once, from a pool of threads, and never hold "
         "the lock while fetching. Read \"The crawler\" in "
      << kLesson << '.';
  std::vector<std::string> want = children;
  want.push_back("http://a.com/");
  expect_answer(*run, want, "a.com", "a start page with four children, each linking to another host");
}

// The start page's fetch is held until crawl() returns (or the gate's patience runs out: a correct crawler waits
// for it); its links then need two fetches at once. A crawler that calls it done when its queue is empty returns
// while that first fetch is still running, or lets its workers leave then, so that one worker crawls the rest.
TEST(WebCrawlerTest, CrawlIsNotOverWhileAFetchIsRunning) {
  auto run = std::make_shared<CrawlRun>();
  run->web->pages = {{"http://a.com/", {"http://a.com/1", "http://a.com/2"}}};
  auto web = run->web.get();
  auto r = run.get();  // both outlive any fetch: the crawl's thread owns `run`
  run->web->gate = [web, r](const std::string& url, std::unique_lock<std::mutex>& lock) {
    if (url == "http://a.com/") {
      if (hold(r, lock, [&] { return web->crawl_returned; })) r->early = true;
      r->gave_up = false;  // a correct crawler waited the start page's patience out; the children get their own
    } else if (url.size() == 14) {
      if (hold(r, lock, [&] { return web->in_flight >= 2 || r->overlapped; })) r->overlapped = true;
    }
  };
  ASSERT_TRUE(crawl(run, "http://a.com/")) << "crawl() did not return in " << kPatience.count() / 1000.0 << " s.";
  // The gates are done before the parser's fetches return; wait for the held one in case crawl() returned early.
  std::unique_lock lock(run->web->mu);
  run->web->changed.wait_for(lock, kPatience, [&] { return run->web->in_flight == 0; });
  run->web->gate = nullptr;
  EXPECT_FALSE(run->early)
      << "crawl() returned while the start page was still being fetched: its links were not even "
         "known yet. An empty queue is not the end of the crawl while a fetch is running (its links "
         "will refill the queue): count the URLs queued or being fetched, and stop when that count "
         "is 0. Read \"Knowing when it is done\" in "
      << kLesson << '.';
  EXPECT_TRUE(run->overlapped)
      << "the start page's fetch was held for a while, and then its two links each waited for the other's fetch: "
         "they never overlapped. The most fetches running at once was "
      << run->web->max_in_flight
      << ". Did the other workers leave because they found the queue empty while the first page was being "
         "fetched? An empty queue with a fetch in flight means 'wait', not 'done': wait on a condition variable "
         "until there is work or the count of unfinished URLs is 0. Read \"Knowing when it is done\" in "
      << kLesson << '.';
  expect_answer(*run, {"http://a.com/", "http://a.com/1", "http://a.com/2"}, "a.com",
                "a start page whose fetch was held for a while");
}

// Forty pages whose fetches are held until more than 16 run at once (or the gate's patience runs out).
TEST(WebCrawlerTest, NeverMoreThanSixteenFetchesAtOnce) {
  auto run = std::make_shared<CrawlRun>();
  std::vector<std::string> children;
  for (int i = 10; i < 50; ++i) children.push_back("http://a.com/" + std::to_string(i));
  run->web->pages = {{"http://a.com/", children}};
  auto web = run->web.get();
  auto r = run.get();  // both outlive any fetch: the crawl's thread owns `run`
  run->web->gate = [web, r](const std::string& url, std::unique_lock<std::mutex>& lock) {
    if (url == "http://a.com/") return;
    hold(r, lock, [&] { return web->in_flight > kMaxInFlight; });  // a correct crawler never gets there
  };
  ASSERT_TRUE(crawl(run, "http://a.com/")) << "crawl() did not return in " << kPatience.count() / 1000.0 << " s.";
  std::lock_guard lock(run->web->mu);
  run->web->gate = nullptr;
  EXPECT_LE(run->web->max_in_flight, kMaxInFlight)
      << "the start page links to 40 pages, and " << run->web->max_in_flight
      << " getUrls calls ran at the same time; the contract allows at most " << kMaxInFlight
      << ". A thread per URL has no bound: on a web of a million pages it starts a million threads. Use a fixed "
         "pool of workers that take URLs from a shared queue. Read \"The crawler\" in "
      << kLesson << '.';
  std::vector<std::string> want = children;
  want.push_back("http://a.com/");
  expect_answer(*run, want, "a.com", "a start page with 40 children");
}

// A larger web on real threads: a grid of pages linking right and down, plus links to another host.
TEST(WebCrawlerTest, ATwoHundredPageWeb) {
  auto run = std::make_shared<CrawlRun>();
  auto page = [](int r, int c) { return "http://grid.org/" + std::to_string(r) + "/" + std::to_string(c); };
  std::vector<std::string> want;
  for (int r = 0; r < 10; ++r) {
    for (int c = 0; c < 20; ++c) {
      want.push_back(page(r, c));
      auto& links = run->web->pages[page(r, c)];
      if (c + 1 < 20) links.push_back(page(r, c + 1));
      if (r + 1 < 10) links.push_back(page(r + 1, c));
      links.push_back(page(0, 0));
      links.push_back("http://grid.org.mirror.net/" + std::to_string(r));
    }
  }
  // The start page's two links are fetched together (both are queued at once), and both lead to new pages.
  auto r = run.get();  // outlives any fetch: the crawl's thread owns `run`
  const std::string right = page(0, 1), down = page(1, 0);
  run->web->gate = [r, right, down](const std::string& url, std::unique_lock<std::mutex>& lock) {
    if (url == right || url == down) meet(r, lock);
  };
  ASSERT_TRUE(crawl(run, page(0, 0))) << "crawl() on 200 pages did not return in " << kPatience.count() / 1000.0
                                      << " s: a lost wakeup (a worker asleep while work waits), or a crawl that "
                                         "never sees its end?";
  std::lock_guard lock(run->web->mu);
  run->web->gate = nullptr;
  expect_answer(*run, want, "grid.org", "a 10 x 20 grid of pages");
  EXPECT_LE(run->web->max_in_flight, kMaxInFlight) << "at most " << kMaxInFlight << " getUrls calls may run at once.";
}

}  // namespace
