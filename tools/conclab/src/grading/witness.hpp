// The grader's witness: the only source of "this test ran to its end and passed".
//
// A pass must be confirmed from inside the test program by a listener the grader owns, because the learner's
// code runs in the same process and can print any report it likes. The grader compiles kWitnessSource into
// every graded test program (as a *_test.cpp in its scratch copy of the lab) and hands each run a fresh
// secret; every finished test prints one line with that secret, gtest's own result and the number of
// ThreadSanitizer reports seen during the test.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace conclab::grading {

inline constexpr std::string_view kWitnessFile = "conclab_grade_witness_test.cpp";
extern const std::string_view kWitnessSource;

// What the witness confirmed for one test: gtest's result ("passed", "failed", "skipped") and the number of
// ThreadSanitizer reports during it.
struct Witnessed {
  std::string result;
  int reports = 0;
};

// `output` without the witness lines (they are the grader's, not something to show); `confirmed` gets, per
// test, what the lines that carry `token` say. Lines with any other token are dropped and ignored.
std::string strip_witness(const std::string& output, const std::string& token, std::map<std::string, Witnessed>* confirmed);

// A fresh secret for one run.
std::string random_token();

}  // namespace conclab::grading
