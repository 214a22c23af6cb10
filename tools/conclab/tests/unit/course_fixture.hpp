// A one-lab course in a scratch folder, for the unit tests of model/ and engine/: lab 01.03 with a starter,
// a test file, naive/improved/final, written fresh for each test.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace conclab::testing {

namespace fs = std::filesystem;

inline fs::path scratch_dir() {
  char tmpl[] = "/tmp/conclab-unit-XXXXXX";
  return fs::path(::mkdtemp(tmpl));
}

inline void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

class CourseTest : public ::testing::Test {
 protected:
  static constexpr const char* kLabToml =
      "format_version = 1\nid = \"01.03\"\ntitle = \"Blocking queue\"\nlesson = \"modules/01-primitives/03-cv.md\"\n"
      "files = [\"q.hpp\"]\nhints = [\"h\"]\nsanitizers = [\"thread\"]\n"
      "[variants.naive]\nsummary = \"s\"\nfails_tsan = [\"Q.T\"]\n"
      "[variants.improved]\nsummary = \"s\"\n[variants.final]\nsummary = \"s\"\n";

  void SetUp() override {
    root_ = scratch_dir();
    write(root_ / "CMakePresets.json", "{}");
    lab_ = root_ / "labs" / "01-primitives" / "03-blocking-queue";
    solutions_ = root_ / "solutions" / "01-primitives" / "03-blocking-queue";
    write(root_ / "modules" / "01-primitives" / "README.md", "# 01 Primitives\n");
    write(root_ / "modules" / "01-primitives" / "03-cv.md", "# CV\n");
    write(lab_ / "lab.toml", kLabToml);
    write(lab_ / "q.hpp", "// TODO(lab): write it\n");
    write(lab_ / "q_test.cpp", "#include <q.hpp>\n");
    for (const char* v : {"naive", "improved", "final"}) write(solutions_ / v / "q.hpp", "\n");
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_, lab_, solutions_;
};

}  // namespace conclab::testing
