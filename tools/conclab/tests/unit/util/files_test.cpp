// util/files: whole-file reads and atomic writes.
#include <gtest/gtest.h>

#include "app/errors.hpp"
#include "util/files.hpp"

namespace conclab {
namespace {

namespace fs = std::filesystem;

fs::path scratch_dir() {
  char tmpl[] = "/tmp/conclab-unit-XXXXXX";
  return fs::path(::mkdtemp(tmpl));
}

TEST(FilesTest, WritesAtomicallyAndReadsBack) {
  const fs::path root = scratch_dir();
  const fs::path file = root / "new" / "folder" / "notes.txt";
  const std::string text = std::string("line one\n") + '\0' + "binary\xff\n";
  write_text_atomically(file, text);  // creates the folders
  EXPECT_EQ(read_text(file), text) << "read_text must return the bytes write_text_atomically wrote";
  write_text_atomically(file, "shorter");
  EXPECT_EQ(read_text(file), "shorter") << "a second write replaces the whole file";
  for (const auto& e : fs::directory_iterator(file.parent_path())) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << "a temporary file was left behind";
  }
  EXPECT_EQ(read_text(root / "missing.txt"), "") << "a file that does not exist reads as empty";
  fs::remove_all(root);
}

TEST(FilesTest, AFileThatCannotBeWrittenIsAUserErrorNotACrash) {
  const fs::path root = scratch_dir();
  write_text_atomically(root / "plain", "x");
  try {
    write_text_atomically(root / "plain" / "inside-a-file.txt", "y");  // the "folder" is a regular file
    ADD_FAILURE() << "writing below a regular file must throw";
  } catch (const UserError& e) {
    EXPECT_EQ(e.exit_code(), exit_code::kEnvironment);
    EXPECT_NE(std::string(e.what()).find("inside-a-file.txt"), std::string::npos) << "the message names the file: " << e.what();
  }
  fs::remove_all(root);
}

}  // namespace
}  // namespace conclab
