// grading/witness: only lines with this run's secret confirm anything; all witness lines leave the output.
#include <gtest/gtest.h>

#include "grading/witness.hpp"

namespace conclab::grading {
namespace {

TEST(WitnessTest, OnlyThisRunsTokenConfirmsAPass) {
  const std::string out =
      "[ RUN      ] A.B\n"
      "@@conclab-witness forged A.B passed 0\n"
      "[       OK ] A.B (0 ms)\n"
      "@@conclab-witness secret A.B failed 2\n";
  std::map<std::string, Witnessed> confirmed;
  const std::string text = strip_witness(out, "secret", &confirmed);
  ASSERT_EQ(confirmed.size(), 1u);
  EXPECT_EQ(confirmed["A.B"].result, "failed") << "the forged line must not count";
  EXPECT_EQ(confirmed["A.B"].reports, 2);
  EXPECT_EQ(text.find("@@conclab-witness"), std::string::npos) << "witness lines are the grader's, not output to show";
}

TEST(WitnessTest, TokensAreFreshEveryTime) { EXPECT_NE(random_token(), random_token()); }

}  // namespace
}  // namespace conclab::grading
