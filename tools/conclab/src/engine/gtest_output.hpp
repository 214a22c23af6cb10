// Reading what a GoogleTest program, ThreadSanitizer and gdb print: the list of tests, each test's slice of
// the output, the first failed assertion, a short form of a race report, a short form of thread stacks.
// Only messages come from here; verdicts are decided from outside (engine/test_runner.hpp).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace conclab {

// "Suite.Test" names from `--gtest_list_tests`.
std::vector<std::string> parse_test_list(const std::string& gtest_list_output);

// One test's slice of the output.
struct Segment {
  std::string name;
  std::string text;       // everything between its RUN line and its end line
  bool finished = false;  // saw OK / FAILED / SKIPPED
  bool passed = false;
};
// Splits gtest output into per-test segments; `outside` gets the text outside any test (and ThreadSanitizer
// lines printed after the summary, such as thread-leak reports at exit).
std::vector<Segment> split_output(const std::string& output, std::string* outside = nullptr);

// A short, readable form of the ThreadSanitizer reports in `text` (empty when there are none). Frames in
// `preferred_files` (the learner's) are shown first.
std::string summarize_tsan(const std::string& text, const std::filesystem::path& root,
                           const std::vector<std::string>& preferred_files);

// A short form of gdb's "thread apply all bt": per thread, what it waits for and where in course code.
std::string summarize_stacks(const std::string& gdb_output, const std::filesystem::path& root,
                             const std::vector<std::string>& preferred_files);

// Assertion failure text with absolute paths made relative and noise trimmed: the first failure whole, the
// rest counted.
std::string tidy_failure(const std::string& text, const std::filesystem::path& root);

}  // namespace conclab
