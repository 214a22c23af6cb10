// What `conclab grade` writes: per learner a Gradescope results.json, one JUnit XML for the class, and a
// CSV gradebook (one row per learner, one column per test, then totals). All text that came from a
// submission's output is made valid UTF-8 (and valid XML) first: hostile output must not break a file.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "grading/grade.hpp"

namespace conclab::grading {

// Gradescope's results.json for one submission (the format of Gradescope's autograder specification).
nlohmann::json gradescope_json(const GradeRun& run, const SubmissionGrade& g);

std::string junit_xml(const GradeRun& run);
std::string grades_csv(const GradeRun& run);

// <out>/<learner>/results.json for each, <out>/junit.xml, <out>/grades.csv, each written atomically.
void write_grade_outputs(const GradeRun& run, const std::filesystem::path& out);

// --- pieces, for the tests ---
std::string valid_utf8(std::string_view s);   // invalid bytes become '?', control characters (but \t \n \r) are dropped
std::string xml_escape(std::string_view s);   // valid_utf8, then & < > " ' escaped
std::string csv_field(std::string_view s);    // quoted when needed; a leading = + - @ is defused for spreadsheets

}  // namespace conclab::grading
