// model/lint: what `conclab maint lint` rejects.
#include <gtest/gtest.h>

#include "course_fixture.hpp"
#include "model/lint.hpp"

namespace conclab {
namespace {

using testing::CourseTest;
using testing::write;

std::string all_of(const std::vector<std::string>& problems) {
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  return all;
}

TEST_F(CourseTest, AWellFormedLabLintsClean) {
  const Course c = load_course(root_);
  EXPECT_EQ(all_of(lint_lab(c, c.labs[0])), "");
}

TEST_F(CourseTest, LintCatchesAQuotedIncludeOfAnEditableFile) {
  write(lab_ / "q_test.cpp", "#include \"q.hpp\"\n");
  const Course c = load_course(root_);
  const auto problems = lint_lab(c, c.labs[0]);
  ASSERT_EQ(problems.size(), 1u) << all_of(problems);
  EXPECT_NE(problems[0].find("include q.hpp with <q.hpp>"), std::string::npos) << problems[0];
}

TEST_F(CourseTest, LintCatchesSleepsInTestsAndANaiveWithoutTeeth) {
  write(lab_ / "q_test.cpp", "#include <q.hpp>\nvoid f() { std::this_thread::sleep" "_for(x); }\n");
  write(lab_ / "lab.toml", "format_version = 1\nid = \"01.03\"\ntitle = \"Blocking queue\"\nlesson = \"modules/01-primitives/03-cv.md\"\n"
                           "files = [\"q.hpp\"]\nhints = [\"h\"]\n"
                           "[variants.naive]\nsummary = \"s\"\n[variants.improved]\nsummary = \"s\"\n[variants.final]\nsummary = \"s\"\n");
  const Course c = load_course(root_);
  const std::string all = all_of(lint_lab(c, c.labs[0]));
  EXPECT_NE(all.find("must not sleep"), std::string::npos) << all;
  EXPECT_NE(all.find("[variants.naive] must name the tests it fails"), std::string::npos) << all;
}

TEST_F(CourseTest, LintWantsTheFormatVersion) {
  std::string toml = kLabToml;
  toml.erase(0, toml.find('\n') + 1);  // without its first line, format_version = 1
  write(lab_ / "lab.toml", toml);
  const Course c = load_course(root_);
  EXPECT_NE(all_of(lint_lab(c, c.labs[0])).find("'format_version = 1' is missing"), std::string::npos);
}

TEST_F(CourseTest, LintHoldsWrongVariantsToTheContract) {
  // Declared without why, claims or files; and a folder nobody declared.
  write(lab_ / "lab.toml", std::string(kLabToml) + "[wrong.lost-wakeup]\nfails = []\n");
  write(solutions_ / "wrong" / "stray" / "q.hpp", "\n");
  const Course c = load_course(root_);
  const std::string all = all_of(lint_lab(c, c.labs[0]));
  EXPECT_NE(all.find("[wrong.lost-wakeup] needs `why`"), std::string::npos) << all;
  EXPECT_NE(all.find("[wrong.lost-wakeup] must name the tests it fails"), std::string::npos) << all;
  EXPECT_NE(all.find("wrong/lost-wakeup/q.hpp does not exist"), std::string::npos) << all;
  EXPECT_NE(all.find("wrong/stray is not declared"), std::string::npos) << all;
}

TEST_F(CourseTest, LintRejectsALabThatIsStillTheScaffold) {
  write(solutions_ / "final" / "q.hpp", "// CONCLAB-SCAFFOLD: replace me\n");
  const Course c = load_course(root_);
  EXPECT_NE(all_of(lint_lab(c, c.labs[0])).find("still the new-lab scaffold"), std::string::npos);
}

TEST_F(CourseTest, LintHoldsSimLabsToConclabSync) {
  std::string toml = kLabToml;
  toml.insert(toml.find("[variants.naive]"), "sim = true\n");
  write(lab_ / "lab.toml", toml);
  write(solutions_ / "final" / "q.hpp", "#include <mutex>\nstd::mutex mu_;  // a std::atomic in a comment is fine\n");
  Course c = load_course(root_);
  std::string all = all_of(lint_lab(c, c.labs[0]));
  EXPECT_NE(all.find("solutions/01-primitives/03-blocking-queue/final/q.hpp:2: std::mutex is invisible to the sim's explorer: use "
                     "conclab::sync::mutex"),
            std::string::npos)
      << all;
  EXPECT_EQ(all.find("atomic"), std::string::npos) << "comments are not code:\n" << all;
  EXPECT_NE(all.find("no test file has a CONCLAB_SIM_TEST"), std::string::npos) << all;

  write(lab_ / "lab.toml", std::string(kLabToml) + "[wrong.x]\nwhy = \"w\"\nfails_sim = [\"Q.T\"]\n");
  write(solutions_ / "wrong" / "x" / "q.hpp", "\n");
  c = load_course(root_);
  all = all_of(lint_lab(c, c.labs[0]));
  EXPECT_NE(all.find("[wrong.x] names fails_sim but the lab does not say `sim = true`"), std::string::npos) << all;
}

TEST_F(CourseTest, LintWantsADrillsProblemAndItsDiscussion) {
  std::string toml = kLabToml;
  toml.insert(toml.find('\n') + 1, "tags = [\"interview\", \"drill\"]\n");
  write(lab_ / "lab.toml", toml);
  Course c = load_course(root_);
  std::string all = all_of(lint_lab(c, c.labs[0]));
  EXPECT_NE(all.find("a drill needs labs/01-primitives/03-blocking-queue/problem.md"), std::string::npos) << all;
  EXPECT_NE(all.find("a drill needs solutions/01-primitives/03-blocking-queue/discussion.md"), std::string::npos) << all;

  write(lab_ / "problem.md", "# Blocking queue\n");
  write(solutions_ / "discussion.md", "# Discussion\n");
  c = load_course(root_);
  EXPECT_EQ(all_of(lint_lab(c, c.labs[0])), "");

  fs::remove_all(root_ / "solutions");  // a student release: no reference versions, so no discussion to ask for
  c = load_course(root_);
  all = all_of(lint_lab(c, c.labs[0]));
  EXPECT_EQ(all.find("discussion.md"), std::string::npos) << all;
}

}  // namespace
}  // namespace conclab
