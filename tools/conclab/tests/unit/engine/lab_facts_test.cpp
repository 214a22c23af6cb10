// engine/lab_facts: what each build tree holds, decided by the CLI for CMake.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "course_fixture.hpp"
#include "engine/lab_facts.hpp"
#include "model/course.hpp"

namespace conclab {
namespace {

using testing::CourseTest;
using testing::write;

bool has_line(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

TEST_F(CourseTest, TheDefaultTreeHoldsEveryImplementationAndTheClaimsItCanCheck) {
  const std::string f = lab_facts_cmake(load_course(root_).labs, BuildKind::kDefault);
  EXPECT_TRUE(has_line(f, "conclab_lab(ID [==[01.03]==]")) << f;
  EXPECT_TRUE(has_line(f, "TESTS [==[q_test.cpp]==]")) << f;
  EXPECT_TRUE(has_line(f, "WHO [==[starter]==] DIR [==[" + lab_.string() + "]==] TARGET lab_01_03_learner CONTRACT")) << f;
  EXPECT_TRUE(has_line(f, "WHO [==[final]==] DIR [==[" + (solutions_ / "final").string() + "]==] TARGET lab_01_03_final CONTRACT")) << f;
  // naive claims nothing for the default build (fails_tsan only): built, not checked.
  EXPECT_TRUE(has_line(f, "TARGET lab_01_03_naive)\n")) << f;
}

TEST_F(CourseTest, TheTsanTreeHoldsOnlyWhatItChecks) {
  write(lab_ / "lab.toml", std::string(kLabToml) + "[wrong.off-by-one]\nwhy = \"w\"\nfails = [\"Q.T\"]\n");
  write(solutions_ / "wrong" / "off-by-one" / "q.hpp", "\n");
  const std::string f = lab_facts_cmake(load_course(root_).labs, BuildKind::kTsan);
  EXPECT_TRUE(has_line(f, "TARGET lab_01_03_naive CONTRACT")) << "naive names fails_tsan:\n" << f;
  EXPECT_TRUE(has_line(f, "TARGET lab_01_03_learner)")) << "the learner's target, for conclab check, with no contract test:\n" << f;
  EXPECT_FALSE(has_line(f, "wrong_off_by_one")) << "a wrong variant with no TSan claim is not built there:\n" << f;
}

TEST_F(CourseTest, TheBenchTreeHoldsOnlyBenchmarks) {
  EXPECT_EQ(lab_facts_cmake(load_course(root_).labs, BuildKind::kBench).find("conclab_lab"), std::string::npos)
      << "a lab without a benchmark is not in the bench tree";
  write(lab_ / "q_bench.cpp", "\n");
  const std::string f = lab_facts_cmake(load_course(root_).labs, BuildKind::kBench);
  EXPECT_TRUE(has_line(f, "WHO [==[final]==] DIR [==[" + (solutions_ / "final").string() + "]==] BENCH_TARGET bench_01_03_final)\n")) << f;
  EXPECT_TRUE(has_line(f, "BENCH_TARGET bench_01_03_learner)")) << f;
  EXPECT_FALSE(has_line(f, " TARGET lab_")) << "no test programs there:\n" << f;
  EXPECT_FALSE(has_line(f, "CONTRACT")) << f;
}

TEST_F(CourseTest, ALabWithoutThreadSanitizerIsNotInTheTsanTree) {
  std::string toml = kLabToml;
  toml.replace(toml.find("sanitizers = [\"thread\"]"), 23, "sanitizers = []");
  toml.replace(toml.find("fails_tsan"), 10, "fails");
  write(lab_ / "lab.toml", toml);
  EXPECT_EQ(lab_facts_cmake(load_course(root_).labs, BuildKind::kTsan).find("conclab_lab"), std::string::npos);
}

TEST_F(CourseTest, JsonFactsNameTargetsAndVariants) {
  const auto j = nlohmann::json::parse(lab_facts_json(root_, load_course(root_).labs));
  const auto& lab = j["labs"][0];
  EXPECT_EQ(lab["id"], "01.03");
  EXPECT_EQ(lab["targets"]["final"], "lab_01_03_final");
  EXPECT_EQ(lab["tsan_checked_targets"], nlohmann::json({"lab_01_03_naive", "lab_01_03_improved", "lab_01_03_final"}))
      << "the TSan tree checks improved, final and a naive that names fails_tsan";
  EXPECT_EQ(lab["variants"]["naive"]["fails_tsan"][0], "Q.T");
  EXPECT_EQ(lab["dir"], "labs/01-primitives/03-blocking-queue");
}

TEST_F(CourseTest, TheSimTreeHoldsOnlySimLabsAndTheirSimClaims) {
  EXPECT_EQ(lab_facts_cmake(load_course(root_).labs, BuildKind::kSim).find("conclab_lab"), std::string::npos)
      << "a lab without `sim = true` is not in the sim tree";
  std::string toml = kLabToml;
  toml.insert(toml.find("[variants.naive]"), "sim = true\n");
  write(lab_ / "lab.toml", toml + "[wrong.load-store]\nwhy = \"w\"\nfails_sim = [\"Q.T\"]\n");
  write(solutions_ / "wrong" / "load-store" / "q.hpp", "\n");
  const auto labs = load_course(root_).labs;
  const std::string f = lab_facts_cmake(labs, BuildKind::kSim);
  EXPECT_TRUE(has_line(f, "TARGET lab_01_03_final CONTRACT")) << "final must pass every schedule:\n" << f;
  EXPECT_TRUE(has_line(f, "TARGET lab_01_03_wrong_load_store CONTRACT")) << "a wrong variant that names fails_sim:\n" << f;
  EXPECT_TRUE(has_line(f, "TARGET lab_01_03_naive ON_DEMAND)")) << "naive names no fails_sim: built on demand only:\n" << f;
  const auto j = nlohmann::json::parse(lab_facts_json(root_, labs));
  EXPECT_EQ(j["labs"][0]["sim"], true);
  EXPECT_EQ(j["labs"][0]["sim_checked_targets"],
            nlohmann::json({"lab_01_03_improved", "lab_01_03_final", "lab_01_03_wrong_load_store"}));
}

}  // namespace
}  // namespace conclab
