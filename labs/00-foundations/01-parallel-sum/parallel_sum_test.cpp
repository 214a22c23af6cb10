// Graded tests for lab 00.01, parallel sum. Lesson: modules/00-foundations/01-what-is-concurrency.md
//
// Every test compares lab::parallel_sum with a plain one-thread sum. When they differ, explain() works
// out the likeliest cause from the shape of the difference (nothing arrived, a 32-bit overflow, whole
// chunks missing, a few additions lost, a chunk boundary off by one), so the failure message says
// what to fix. Under ThreadSanitizer a shared `total` without a lock is reported in every test that
// runs two or more threads, even in a run where the sum came out right.
#include <parallel_sum.hpp>

#include <gtest/gtest.h>

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <numeric>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "conclab/run_threads.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"

namespace {

constexpr const char* kLesson = "modules/00-foundations/01-what-is-concurrency.md";

std::int64_t exact_sum(std::span<const std::int32_t> values) {
  return std::accumulate(values.begin(), values.end(), std::int64_t{0});
}

// 50'000 values between 1'000'000 and 1'100'002, in no particular order: the total is about 5.2e10,
// and every chunk's sum exceeds 2^31 even with 8 threads, so a 32-bit accumulator overflows anywhere.
std::vector<std::int32_t> large_input() {
  constexpr std::size_t kSize = 50'000;
  std::vector<std::int32_t> values(kSize);
  for (std::size_t i = 0; i < kSize; ++i) values[i] = 1'000'000 + static_cast<std::int32_t>(i * 7919 % 100'003);
  return values;
}

// The sums of the chunks, split the way the starter splits: chunk i is [n*i/threads, n*(i+1)/threads).
std::vector<std::int64_t> chunk_sums(std::span<const std::int32_t> values, unsigned threads) {
  const std::size_t n = values.size();
  std::vector<std::int64_t> sums;
  for (std::size_t i = 0; i < threads; ++i) {
    sums.push_back(exact_sum(values.subspan(n * i / threads, n * (i + 1) / threads - n * i / threads)));
  }
  return sums;
}

// If `result` is the sum of some, but not all, of the chunks, names them ("chunk 0", "chunks 0, 2").
std::string chunks_that_sum_to(std::span<const std::int32_t> values, unsigned threads, std::int64_t result) {
  if (threads < 2 || threads > 12) return "";
  const std::vector<std::int64_t> sums = chunk_sums(values, threads);
  for (unsigned mask = 1; mask + 1 < (1u << threads); ++mask) {
    std::int64_t sum = 0;
    std::string names;
    for (unsigned i = 0; i < threads; ++i) {
      if (((mask >> i) & 1u) == 0) continue;
      sum += sums[i];
      names += (names.empty() ? "" : ", ") + std::to_string(i);
    }
    if (sum == result) return (names.find(',') == std::string::npos ? "chunk " : "chunks ") + names;
  }
  return "";
}

// If `error` is worth exactly the elements at some chunk edges, names them, e.g. "the first element of
// chunk 1 (values[16666] = 1033154)" or "the last element of every chunk but the last": the signature of
// a chunk boundary that is off by one. Returns "" otherwise.
std::string edge_elements_worth(std::span<const std::int32_t> values, unsigned threads, std::int64_t error) {
  const std::size_t n = values.size();
  std::vector<std::size_t> firsts;  // index of the first element of each non-empty chunk
  std::vector<std::size_t> lasts;   // index of the last element of each non-empty chunk
  std::vector<std::size_t> chunk_of;
  for (std::size_t i = 0; i < threads; ++i) {
    const std::size_t first = n * i / threads;
    const std::size_t last = n * (i + 1) / threads;
    if (first == last) continue;
    firsts.push_back(first);
    lasts.push_back(last - 1);
    chunk_of.push_back(i);
  }
  for (std::size_t c = 0; c < firsts.size(); ++c) {
    for (const std::size_t k : {firsts[c], lasts[c]}) {
      if (values[k] == error) {
        return std::string(k == firsts[c] ? "the first" : "the last") + " element of chunk " +
               std::to_string(chunk_of[c]) + " (values[" + std::to_string(k) + "] = " +
               std::to_string(values[k]) + ")";
      }
    }
  }
  const auto sum_at = [&](const std::vector<std::size_t>& indices, std::size_t from, std::size_t to) {
    std::int64_t sum = 0;
    for (std::size_t c = from; c < to; ++c) sum += values[indices[c]];
    return sum;
  };
  const std::size_t m = firsts.size();
  if (m < 2) return "";
  if (error == sum_at(firsts, 1, m)) return "the first element of every chunk after the first";
  if (error == sum_at(lasts, 0, m - 1)) return "the last element of every chunk but the last";
  if (error == sum_at(firsts, 0, m)) return "the first element of every chunk";
  if (error == sum_at(lasts, 0, m)) return "the last element of every chunk";
  return "";
}

// True if `error` is worth exactly the last n % threads values (n >= threads): the remainder that chunks of
// n / threads values, rounded down, leave out.
bool is_the_remainder(std::span<const std::int32_t> values, unsigned threads, std::int64_t error) {
  const std::size_t n = values.size();
  if (threads == 0 || n < threads || n % threads == 0) return false;
  return error == exact_sum(values.subspan(n - n % threads));
}

// The failure message: what came out, what should have, and the likeliest reason why not.
std::string explain(std::span<const std::int32_t> values, unsigned threads, std::int64_t result) {
  const std::int64_t exact = exact_sum(values);
  const std::int64_t missing = exact - result;
  std::ostringstream out;
  out << threads << (threads == 1 ? " thread" : " threads") << " summed " << values.size()
      << (values.size() == 1 ? " value to " : " values to ") << result << ", but the exact sum is " << exact
      << " (" << (missing > 0 ? "short by " : "over by ") << (missing > 0 ? missing : -missing) << ").\n";
  if (result == 0) {
    out << "Nothing the threads computed reached the result: each thread must add up its own chunk, and "
           "after join() the caller must combine what they computed.";
    if (threads > values.size()) {
      out << " (Or every chunk came out empty: with more threads than values, a chunk size of n / threads "
             "rounds down to 0. Chunk i is [n*i/threads, n*(i+1)/threads).)";
    }
  } else if (is_the_remainder(values, threads, missing)) {
    const std::size_t tail = values.size() % threads;
    out << "The difference is exactly the sum of the last " << tail << (tail == 1 ? " value" : " values")
        << ", so " << (tail == 1 ? "it is" : "they are") << " in no chunk. " << values.size() << " / " << threads << " = " << values.size() / threads
        << " rounds down, so " << threads << " chunks of n / threads values cover only "
        << values.size() / threads * threads << " of the " << values.size() << " values, and the remainder "
        << "(n % threads) is left over. Chunk i is [n*i/threads, n*(i+1)/threads), which spreads the remainder "
           "over the chunks; or let the last chunk run to n.";
  } else if (missing % (std::int64_t{1} << 32) == 0) {
    out << "The error is a multiple of 2^32: a 32-bit accumulator overflowed and wrapped around. Add into "
           "std::int64_t (and start std::accumulate at std::int64_t{0}: with a plain 0 it adds in int).";
  } else if (const std::string chunks = chunks_that_sum_to(values, threads, result); !chunks.empty()) {
    out << "The result is exactly the sum of " << chunks << ": the other chunks' sums never reached it. "
        << "Either they were never added, or several threads updated one shared total at the same time and "
           "one thread's store overwrote another's (a lost update: with a data race the compiler may keep "
           "the running total in a register and store it once, so a whole chunk disappears).";
  } else if (const std::string skipped = edge_elements_worth(values, threads, missing); !skipped.empty()) {
    out << "The sum is short by exactly " << skipped << ": a chunk boundary is off by one, so elements at "
        << "the edges of chunks are in no chunk. Chunk i is [n*i/threads, n*(i+1)/threads), end excluded.";
  } else if (const std::string twice = edge_elements_worth(values, threads, -missing); !twice.empty()) {
    out << "The sum is over by exactly " << twice << ": a chunk boundary is off by one, so elements at "
        << "the edges of chunks are counted twice. Chunk i is [n*i/threads, n*(i+1)/threads), end excluded.";
  } else if (missing > 0 && threads > 1) {
    out << "Additions were lost. `total += x` is a load, an add and a store; two threads can interleave "
           "them so that both load the same old value and one store overwrites the other (see the drawing "
           "in \"The lost update\"). Give each thread its own partial sum and combine them after join().";
  } else {
    out << "Every element must be in exactly one chunk: check where each chunk starts and ends "
           "(`./conclab hint 00.01`), and that no element is added twice or skipped.";
  }
  out << "\nRead " << kLesson << '.';
  return out.str();
}

void expect_exact_sum(std::span<const std::int32_t> values, unsigned threads) {
  const std::int64_t exact = exact_sum(values);
  const std::int64_t result = lab::parallel_sum(values, threads);
  EXPECT_EQ(result, exact) << explain(values, threads, result);
}

TEST(ParallelSumTest, ExactSumWithOneThread) {
  expect_exact_sum(large_input(), 1);
}

TEST(ParallelSumTest, ExactSumWithTwoThreads) {
  expect_exact_sum(large_input(), 2);
}

TEST(ParallelSumTest, ExactSumWithThreeThreads) {
  // 50'000 / 3 is not whole: the chunks are 16'666, 16'667 and 16'667 values long.
  expect_exact_sum(large_input(), 3);
}

TEST(ParallelSumTest, ExactSumWithFourThreads) {
  expect_exact_sum(large_input(), 4);
}

TEST(ParallelSumTest, ExactSumWithEightThreads) {
  // More threads than this machine probably has cores: they take turns, and the sum must not care.
  expect_exact_sum(large_input(), 8);
}

TEST(ParallelSumTest, EmptyInputSumsToZero) {
  for (unsigned threads : {1u, 4u}) {
    try {
      EXPECT_EQ(lab::parallel_sum({}, threads), 0)
          << "the sum of no values is 0, with " << threads << " thread(s): every chunk is empty, and an empty "
          << "chunk must add nothing (and must not read values[0]). Read " << kLesson << '.';
    } catch (const std::exception& e) {
      ADD_FAILURE() << "parallel_sum({}, " << threads << ") threw \"" << e.what() << "\", but no values is not a "
                    << "mistake: their sum is 0. Only threads == 0 is, so check the argument the caller passed; a "
                    << "count derived from it (such as min(threads, n), which is 0 for an empty input) says nothing "
                    << "about the caller's mistake. Read " << kLesson << '.';
    }
  }
}

TEST(ParallelSumTest, MoreThreadsThanValues) {
  // 8 threads for 3 values: five chunks are empty. 4 threads for 1 value: three are.
  const std::vector<std::int32_t> three = {5, 7, 11};
  const std::vector<std::int32_t> one = {42};
  const std::vector<std::int32_t> two = {-3, 1'000'000'000};
  expect_exact_sum(three, 8);
  expect_exact_sum(one, 4);
  expect_exact_sum(two, 3);
}

TEST(ParallelSumTest, UnevenChunks) {
  // Element i is 2^i, so the result in binary shows which elements were added: bit i set means element i
  // was counted once. A boundary that is off by one leaves a 0 bit (skipped) or carries (counted twice).
  struct Case {
    std::size_t size;
    unsigned threads;
  };
  for (const Case c : {Case{10, 3}, Case{7, 4}, Case{29, 8}, Case{11, 2}}) {
    std::vector<std::int32_t> values(c.size);
    for (std::size_t i = 0; i < c.size; ++i) values[i] = std::int32_t{1} << i;
    const std::int64_t exact = exact_sum(values);
    const std::int64_t result = lab::parallel_sum(values, c.threads);
    const std::bitset<32> result_bits(static_cast<std::uint64_t>(result));
    const std::bitset<32> exact_bits(static_cast<std::uint64_t>(exact));
    EXPECT_EQ(result, exact) << explain(values, c.threads, result)
                             << "\nElement i is 2^i, so the result in binary (element 0 on the right) shows "
                             << "which elements were added:\n  result " << result_bits << "\n  exact  " << exact_bits;
  }
}

TEST(ParallelSumTest, ZeroThreadsThrows) {
  const std::vector<std::int32_t> values = {1, 2, 3};
  EXPECT_THROW(lab::parallel_sum(values, 0), std::invalid_argument)
      << "threads == 0 leaves nobody to do the work (and n * i / threads would divide by zero): "
         "parallel_sum must reject it by throwing std::invalid_argument before it starts anything.";
  EXPECT_THROW(lab::parallel_sum({}, 0), std::invalid_argument)
      << "threads == 0 is a caller's mistake even when there is nothing to sum: check the argument first, "
         "so the same call fails the same way whatever the input.";
}

TEST(ParallelSumTest, NegativeValues) {
  // Large negatives and positives, and both ends of int32: the sum is far below INT32_MIN.
  std::vector<std::int32_t> values;
  for (std::int32_t i = 0; i < 1'001; ++i) values.push_back(i % 2 == 0 ? -2'000'000'000 + i : 1'000'000'000 - i);
  values.push_back(std::numeric_limits<std::int32_t>::min());
  values.push_back(std::numeric_limits<std::int32_t>::max());
  expect_exact_sum(values, 4);
  expect_exact_sum(values, 3);
}

TEST(ParallelSumTest, CallsFromSeveralThreadsAreIndependent) {
  // Two callers run parallel_sum at the same moment on different inputs. Each must get its own exact sum:
  // a running total kept in a global or static variable would mix the two calls together.
  std::array<std::vector<std::int32_t>, 2> inputs;
  for (std::int32_t i = 0; i < 20'000; ++i) {
    inputs[0].push_back(i);
    inputs[1].push_back(-3 * i);
  }
  std::array<std::int64_t, 2> results{};
  conclab::run_threads(2, [&](int caller) {
    const auto c = static_cast<std::size_t>(caller);
    results[c] = lab::parallel_sum(inputs[c], 2);
  });
  for (std::size_t caller = 0; caller < inputs.size(); ++caller) {
    EXPECT_EQ(results[caller], exact_sum(inputs[caller]))
        << "caller " << caller << " of 2, both calling parallel_sum at once: "
        << explain(inputs[caller], 2, results[caller])
        << "\nIf only this test fails, the calls share state: keep everything a call needs in local "
           "variables of that call, never in a global or a static.";
  }
}

// Under the explorer (the sim build), which counts the threads a call starts, and how many it had started when it
// first joined one: the lab is about splitting the work across `threads` threads that run at the same time, and
// a sum computed on the calling thread alone (std::accumulate), or on threads each joined before the next starts,
// gets the number right without doing that. In the other builds this runs 20 times on real threads and checks the sum only.
CONCLAB_SIM_TEST(ParallelSumTest, TheWorkIsSplitAcrossTheThreads) {
  // Small on purpose: every lock a solution takes multiplies the schedules the explorer tries.
  const std::vector<std::int32_t> values{1, 2, 3, 4};
  const std::int64_t result = lab::parallel_sum(values, 3);
  EXPECT_EQ(result, 10) << explain(values, 3, result);
  if constexpr (conclab::sync::kSimulated) {
    EXPECT_EQ(conclab::sim::threads_started(), 3)
        << "parallel_sum(values, 3) started " << conclab::sim::threads_started() << " threads: the lab asks for "
        << "each of the 3 chunks to be summed on its own thread (the right total computed on one thread, e.g. with "
        << "std::accumulate, passes the other tests but is not the exercise). Read " << kLesson << '.';
    EXPECT_EQ(conclab::sim::threads_started_before_first_join(), 3)
        << "parallel_sum(values, 3) joined a thread when " << conclab::sim::threads_started_before_first_join()
        << " of its threads had been started: a join waits for that thread to end, so a thread joined before "
        << "the next one starts means the chunks are summed one after another, never at the same time. Start "
        << "every thread first, then join them all (a std::vector<sync::jthread> joins each in its destructor). "
        << "Read " << kLesson << '.';
  }
}

}  // namespace
