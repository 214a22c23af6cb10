// model/course and model/lab: finding labs by id, short id or name; what lab.toml says; a malformed or newer
// lab.toml named with its line.
#include <gtest/gtest.h>

#include "app/errors.hpp"
#include "course_fixture.hpp"
#include "model/course.hpp"

namespace conclab {
namespace {

using testing::CourseTest;
using testing::write;

TEST_F(CourseTest, LoadsAndFindsLabsByIdNameOrShortId) {
  const Course c = load_course(root_);
  ASSERT_EQ(c.labs.size(), 1u);
  EXPECT_EQ(c.labs[0].slug, "blocking-queue");
  EXPECT_EQ(c.module_title("01-primitives"), "01 Primitives");
  EXPECT_NE(c.find("01.03"), nullptr);
  EXPECT_NE(c.find("1.3"), nullptr);
  EXPECT_NE(c.find("blocking-queue"), nullptr);
  EXPECT_EQ(c.find("01.04"), nullptr);
  try {
    c.get("9.9");
    FAIL() << "an unknown id must throw";
  } catch (const UserError& e) {
    EXPECT_EQ(e.exit_code(), exit_code::kUsage);
    EXPECT_NE(std::string(e.what()).find("There is no lab '9.9'"), std::string::npos);
  }
}

TEST_F(CourseTest, TestsAndBenchmarksComeFromTheFolder) {
  write(lab_ / "q_bench.cpp", "\n");
  write(lab_ / "r_test.cpp", "\n");
  const Lab lab = load_course(root_).labs[0];
  EXPECT_EQ(lab.tests, (std::vector<std::string>{"q_test.cpp", "r_test.cpp"}));
  EXPECT_EQ(lab.benchmarks, (std::vector<std::string>{"q_bench.cpp"}));
  EXPECT_EQ(lab.preferred_files(), (std::vector<std::string>{"q.hpp", "q_test.cpp", "r_test.cpp"}));
}

TEST_F(CourseTest, TargetNamesAreDecidedByTheLab) {
  const Lab lab = load_course(root_).labs[0];
  EXPECT_EQ(lab.target("learner"), "lab_01_03_learner");
  EXPECT_EQ(lab.target("starter"), "lab_01_03_learner") << "the starter is the learner's folder";
  EXPECT_EQ(lab.target("final"), "lab_01_03_final");
  EXPECT_EQ(lab.target("wrong/if-not-while"), "lab_01_03_wrong_if_not_while");
  EXPECT_EQ(lab.bench_target("naive"), "bench_01_03_naive");
}

TEST_F(CourseTest, WrongVariantsAreReadWithTheirWhyAndClaims) {
  write(lab_ / "lab.toml", std::string(kLabToml) + "[wrong.if-not-while]\nwhy = \"waits with if\"\nfails = [\"Q.T\"]\n");
  write(solutions_ / "wrong" / "if-not-while" / "q.hpp", "\n");
  const Lab lab = load_course(root_).labs[0];
  ASSERT_EQ(lab.wrong_variants(), (std::vector<std::string>{"wrong/if-not-while"}));
  const VariantInfo& v = lab.variants.at("wrong/if-not-while");
  EXPECT_EQ(v.summary, "waits with if");
  ASSERT_TRUE(v.fails.has_value());
  EXPECT_EQ(*v.fails, (std::vector<std::string>{"Q.T"}));
  EXPECT_FALSE(v.fails_tsan.has_value());
  EXPECT_EQ(lab.impl_dir("wrong/if-not-while"), solutions_ / "wrong" / "if-not-while");
  EXPECT_EQ(lab.variants_on_disk(), (std::vector<std::string>{"naive", "improved", "final", "wrong/if-not-while"}));
  EXPECT_TRUE(must_fail("wrong/if-not-while"));
  EXPECT_TRUE(must_fail("naive"));
  EXPECT_FALSE(must_fail("final"));
}

TEST_F(CourseTest, AMalformedLabTomlNamesTheFileAndLine) {
  write(lab_ / "lab.toml", "id = \"01.03\"\ntitle = \n");
  try {
    load_course(root_);
    FAIL() << "a malformed lab.toml must be reported";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("labs/01-primitives/03-blocking-queue/lab.toml:2"), std::string::npos) << e.what();
  }
}

TEST_F(CourseTest, ALabTomlOfANewerFormatIsRefusedWithAWayOut) {
  write(lab_ / "lab.toml", "format_version = 99\nid = \"01.03\"\n");
  try {
    load_course(root_);
    FAIL() << "a lab.toml newer than the CLI must be refused";
  } catch (const UserError& e) {
    EXPECT_EQ(e.exit_code(), exit_code::kEnvironment);
    EXPECT_NE(std::string(e.what()).find("format_version 99"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Rebuild conclab"), std::string::npos) << "the sentence says what to do: " << e.what();
  }
}

}  // namespace
}  // namespace conclab
