// The gradebook: one SQLite file that accumulates every grading run, across labs and re-grades.
//
//   gradings      one row per `conclab grade` run (lab, when, repeats, TSan, seed, sandbox)
//   submissions   one row per learner per run (score, verdict, hash of the graded files, notes)
//   test_results  one row per learner per test per run (points, verdict, runs passed, TSan)
//   latest        a view: each learner's most recent grading of each lab
//
// Nothing is ever overwritten: a re-grade adds a run, and `latest` picks it up. `conclab gradebook export`
// turns it into a spreadsheet (one row per learner, one column per lab, or per test of one lab).
#pragma once

#include <filesystem>
#include <string>

#include "grading/grade.hpp"

namespace conclab::grading {

// Adds `run` to the gradebook at `db` (created with its schema when missing). Returns the run's id.
// Throws UserError (kEnvironment) when the file cannot be opened or written.
long long gradebook_record(const std::filesystem::path& db, const GradeRun& run, const std::string& source);

struct GradebookExport {
  std::filesystem::path db;
  std::string lab;              // empty: one column per lab (latest scores); else one column per test of that lab
  std::string format = "csv";   // csv | json
  bool history = false;         // every grading of every learner, oldest first, instead of the latest
};

std::string gradebook_export(const GradebookExport& options);

}  // namespace conclab::grading
