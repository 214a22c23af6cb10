// commands/lab_watch: the save detection watch and drill share.
#include "commands/lab_watch.hpp"

#include <gtest/gtest.h>

#include "course_fixture.hpp"

namespace conclab::commands {
namespace {

using conclab::testing::CourseTest;
using conclab::testing::write;

TEST_F(CourseTest, AFingerprintChangesWhenAnEditableFileOrATestChanges) {
  const Course c = load_course(root_);
  const std::string before = lab_fingerprint(c.labs[0]);
  EXPECT_EQ(lab_fingerprint(c.labs[0]), before) << "nothing changed";
  write(lab_ / "q.hpp", "// a longer file than the starter was\n");
  const std::string after_edit = lab_fingerprint(c.labs[0]);
  EXPECT_NE(after_edit, before);
  write(lab_ / "q_test.cpp", "#include <q.hpp>\n// and a test edited too\n");
  EXPECT_NE(lab_fingerprint(c.labs[0]), after_edit);
}

TEST_F(CourseTest, TheFirstSaveIsTheStartUnlessTheCurrentFilesAreIgnored) {
  const Course c = load_course(root_);
  SaveWatcher watch(c.labs[0], 50, 0);
  EXPECT_TRUE(watch.next_save()) << "watch checks the files as they are when it starts";

  SaveWatcher drill(c.labs[0], 50, 0);
  drill.ignore_current_files();
  write(lab_ / "q.hpp", "// saved: a file of another size\n");
  EXPECT_TRUE(drill.next_save()) << "the save is reported";
}

}  // namespace
}  // namespace conclab::commands
