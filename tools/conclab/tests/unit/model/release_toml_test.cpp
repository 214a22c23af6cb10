// model/release_toml: a student release's lab.toml loses the solution tables and nothing else.
#include <gtest/gtest.h>

#include "app/errors.hpp"
#include "course_fixture.hpp"
#include "model/release_toml.hpp"

namespace conclab {
namespace {

using testing::scratch_dir;
using testing::write;

TEST(ReleaseTomlTest, DropsVariantAndWrongTablesAndKeepsTheRest) {
  const auto dir = scratch_dir();
  write(dir / "lab.toml",
        "format_version = 1\nid = \"01.03\"\nhints = [\n  \"one\",\n  \"two\",\n]\n\n[points]\n\"A.B\" = 2\n\n"
        "[variants.naive]\nsummary = \"s\"\nfails = [\"A.B\"]\n\n[wrong.\"lost-wakeup\"]\nwhy = \"w\"\nfails = [\"A.B\"]\n\n"
        "[variants.final]\nsummary = \"f\"\n");
  const std::string out = release_lab_toml(dir / "lab.toml");
  EXPECT_EQ(out, "format_version = 1\nid = \"01.03\"\nhints = [\n  \"one\",\n  \"two\",\n]\n\n[points]\n\"A.B\" = 2\n") << out;
  std::filesystem::remove_all(dir);
}

TEST(ReleaseTomlTest, KeepsOnlyTheFirstHintsWhenAsked) {
  const auto dir = scratch_dir();
  write(dir / "lab.toml",
        "format_version = 1\nid = \"01.03\"\nhints = [\n  \"the idea\",\n  \"the \\\"mechanism\\\"\",\n"
        "  \"nearly the code: `x = [1]`\",\n]\ntimeout = 15\n\n[wrong.w]\nwhy = \"w\"\nfails = [\"A.B\"]\n");
  EXPECT_EQ(release_lab_toml(dir / "lab.toml", 2),
            "format_version = 1\nid = \"01.03\"\nhints = [\n  'the idea',\n  'the \"mechanism\"',\n]\ntimeout = 15\n")
      << "toml++ writes each kept hint as TOML (a literal string where it can)";
  EXPECT_EQ(release_lab_toml(dir / "lab.toml", 0), "format_version = 1\nid = \"01.03\"\nhints = [\n]\ntimeout = 15\n");
  const std::string all = release_lab_toml(dir / "lab.toml", 3);
  EXPECT_NE(all.find("nearly the code"), std::string::npos) << "as many as there are: all kept, as written";
  std::filesystem::remove_all(dir);
}

TEST(ReleaseTomlTest, RefusesAFileItCannotCutCleanly) {
  const auto dir = scratch_dir();
  // Dotted keys put the variants in the top-level table, where no header marks them: the cut would leave them in.
  write(dir / "lab.toml", "id = \"01.03\"\nvariants.naive.summary = \"s\"\n");
  try {
    release_lab_toml(dir / "lab.toml");
    ADD_FAILURE() << "a release must never keep a variant silently";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("header on a line of its own"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace conclab
