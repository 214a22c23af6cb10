// What a learner handed in, and what the grader takes from it: only the files lab.toml lists as editable
// (regular files of at most 1 MB, never through a symbolic link), found at the top of the submission, at
// the course's path, or nested in an unzipped repository; a course copy's solutions/, build/ and .git/ are
// never looked into.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "model/lab.hpp"

namespace conclab::grading {

namespace fs = std::filesystem;

struct Submission {
  std::string learner;  // the folder name
  fs::path dir;
};

// Every folder of `dir` is one learner's submission (hidden folders and symbolic links are skipped), sorted
// by name. A UserError when `dir` is not a folder.
std::vector<Submission> discover_submissions(const fs::path& dir);

struct Collected {
  std::map<std::string, std::string> files;  // editable file -> content (the starter's when missing)
  std::vector<std::string> notes;            // where files came from, what was ignored, suspicious code
  std::string refused;                       // non-empty: not compiled, and why
};

// `lab_rel` is the lab's folder relative to the course root (labs/01-primitives/03-blocking-queue).
Collected collect(const Submission& submission, const Lab& lab, const fs::path& lab_rel);

}  // namespace conclab::grading
