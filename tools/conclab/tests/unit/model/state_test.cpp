// model/state: the learner's progress file: round trip, atomic writes, a damaged file set aside.
#include <gtest/gtest.h>

#include <fstream>

#include "model/state.hpp"

namespace conclab {
namespace {

namespace fs = std::filesystem;

fs::path scratch_dir() {
  char tmpl[] = "/tmp/conclab-unit-XXXXXX";
  return fs::path(::mkdtemp(tmpl));
}

TEST(StateTest, RoundTripsAndWritesAtomically) {
  const fs::path root = scratch_dir();
  {
    State s = State::load(root);
    EXPECT_FALSE(s.warning().has_value());
    s.lab("00.01").status = LabStatus::kPassed;
    s.lab("00.01").hints_shown = 2;
    s.save();
  }
  State again = State::load(root);
  EXPECT_TRUE(again.passed("00.01"));
  EXPECT_EQ(again.find("00.01")->hints_shown, 2);
  for (const auto& e : fs::directory_iterator(root / ".conclab")) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << "a temporary file was left behind";
  }
  fs::remove_all(root);
}

TEST(StateTest, SetsADamagedFileAsideAndStartsFresh) {
  const fs::path root = scratch_dir();
  fs::create_directories(root / ".conclab");
  std::ofstream(root / ".conclab" / "state.json") << "{\"labs\": {\"00.01\": ";  // cut off mid-write
  State s = State::load(root);
  ASSERT_TRUE(s.warning().has_value()) << "a damaged file must be reported";
  EXPECT_NE(s.warning()->find("damaged"), std::string::npos);
  EXPECT_FALSE(s.passed("00.01"));
  bool kept = false;
  for (const auto& e : fs::directory_iterator(root / ".conclab")) {
    kept = kept || e.path().filename().string().find("state.json.damaged-") == 0;
  }
  EXPECT_TRUE(kept) << "the damaged file must be kept aside, not deleted";
  fs::remove_all(root);
}

}  // namespace
}  // namespace conclab
