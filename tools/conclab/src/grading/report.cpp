#include "grading/report.hpp"

#include <fmt/format.h>


#include "app/errors.hpp"
#include "util/files.hpp"

namespace conclab::grading {

namespace fs = std::filesystem;
using nlohmann::json;

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') out += static_cast<char>(c);
      ++i;
      continue;
    }
    int len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    }
    bool ok = len > 0 && i + static_cast<std::size_t>(len) <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and out-of-range code points are not valid UTF-8 either.
    if (ok && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
               (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)) {
      ok = false;
    }
    if (ok) {
      out.append(s.substr(i, static_cast<std::size_t>(len)));
      i += static_cast<std::size_t>(len);
    } else {
      out += '?';
      ++i;
    }
  }
  return out;
}

std::string xml_escape(std::string_view s) {
  const std::string clean = valid_utf8(s);
  std::string out;
  out.reserve(clean.size());
  for (char c : clean) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string csv_field(std::string_view s) {
  std::string v = valid_utf8(s);
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v = "'" + v;
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

namespace {

std::string grade_word(Verdict v) { return std::string(verdict_name(v, Wording::kGrade)); }

std::vector<std::string> run_verdict_names(const TestGrade& t) {
  std::vector<std::string> names;
  for (const Verdict v : t.run_verdicts) names.push_back(grade_word(v));
  return names;
}

std::string cap(const std::string& s, std::size_t n) { return s.size() <= n ? s : s.substr(0, n) + "\n(cut)"; }

std::string submission_summary(const GradeRun& run, const SubmissionGrade& g) {
  std::string out = fmt::format("Lab {} {}: {}/{} points.", run.lab_id, run.lab_title, g.score, g.max_score);
  if (!g.graded) {
    out += "\n\n" + g.compile_error;
  } else if (!g.compiled) {
    out += fmt::format("\n\nThe code was not graded: {}\n{}", grade_word(g.verdict), g.compile_error);
  }
  if (!g.notes.empty()) {
    out += "\n\nNotes:";
    for (const auto& n : g.notes) out += "\n- " + n;
  }
  out += fmt::format("\n\nEach test ran {} time{} in a fresh process{}; it earns its points only if every run passed{}. Seed {}.",
                     run.repeat, run.repeat == 1 ? "" : "s", run.sandboxed ? ", in a sandbox" : "",
                     run.tsan ? " and its ThreadSanitizer run was clean" : "", run.seed);
  return out;
}

}  // namespace

json gradescope_json(const GradeRun& run, const SubmissionGrade& g) {
  json tests = json::array();
  for (const auto& t : g.tests) {
    tests.push_back({{"name", t.name},
                     {"score", t.points},
                     {"max_score", t.max_points},
                     {"status", t.verdict == Verdict::kPassed ? "passed" : "failed"},
                     {"output", valid_utf8(cap(test_output_text(t), 8000))},
                     {"visibility", "visible"},
                     {"extra_data",
                      {{"verdict", grade_word(t.verdict)},
                       {"runs", t.runs},
                       {"passed_runs", t.passed_runs},
                       {"run_verdicts", run_verdict_names(t)},
                       {"tsan", tsan_text(t.tsan)},
                       {"sim", sim_text(t.sim)},
                       {"seconds", t.seconds}}}});
  }
  return {{"score", g.score},
          {"execution_time", static_cast<long>(g.seconds + 0.5)},
          {"output", valid_utf8(cap(submission_summary(run, g), 20000))},
          {"visibility", "visible"},
          {"stdout_visibility", "hidden"},
          {"tests", tests},
          {"extra_data",
           {{"lab", run.lab_id},
            {"learner", valid_utf8(g.learner)},
            {"max_score", g.max_score},
            {"verdict", grade_word(g.verdict)},
            {"compiled", g.compiled},
            {"graded", g.graded},
            {"repeat", run.repeat},
            {"tsan", run.tsan},
            {"sim", run.sim},
            {"seed", run.seed},
            {"sandbox", run.sandbox},
            {"files_hash", g.files_hash},
            {"graded_at", run.graded_at}}}};
}

std::string junit_xml(const GradeRun& run) {
  int tests = 0, failures = 0, errors = 0;
  double seconds = 0;
  std::string body;
  for (const auto& g : run.submissions) {
    int s_failures = 0, s_errors = 0;
    double s_seconds = 0;
    std::string cases;
    for (const auto& t : g.tests) {
      const auto dot = t.name.find('.');
      const std::string suite = dot == std::string::npos ? "tests" : t.name.substr(0, dot);
      const std::string name = dot == std::string::npos ? t.name : t.name.substr(dot + 1);
      cases += fmt::format("    <testcase classname=\"{}.{}\" name=\"{}\" time=\"{:.3f}\"", xml_escape(g.learner), xml_escape(suite),
                           xml_escape(name), t.seconds);
      s_seconds += t.seconds;
      if (t.verdict == Verdict::kPassed) {
        cases += "/>\n";
        continue;
      }
      // An assertion that did not hold is a <failure>; everything that stopped the test from finishing
      // normally (timeout, crash, race report, limits, no build) is an <error> with its kind in `type`.
      const bool failure = t.verdict == Verdict::kFailed;
      const char* tag = failure ? "failure" : "error";
      (failure ? s_failures : s_errors) += 1;
      cases += fmt::format(">\n      <{} type=\"{}\" message=\"{}\">{}</{}>\n    </testcase>\n", tag, xml_escape(grade_word(t.verdict)),
                           xml_escape(t.summary), xml_escape(cap(t.message, 8000)), tag);
    }
    const int n = static_cast<int>(g.tests.size());
    body += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" time=\"{:.3f}\" timestamp=\"{}\">\n",
                        xml_escape(g.learner), n, s_failures, s_errors, s_seconds, xml_escape(run.graded_at));
    body += fmt::format("    <properties>\n      <property name=\"score\" value=\"{}\"/>\n      <property name=\"max_score\" value=\"{}\"/>\n"
                        "      <property name=\"verdict\" value=\"{}\"/>\n    </properties>\n",
                        g.score, g.max_score, xml_escape(grade_word(g.verdict)));
    if (!g.compiled && !g.compile_error.empty()) {
      body += fmt::format("    <system-out>{}</system-out>\n", xml_escape(cap(g.compile_error, 8000)));
    }
    body += cases;
    body += "  </testsuite>\n";
    tests += n;
    failures += s_failures;
    errors += s_errors;
    seconds += s_seconds;
  }
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"conclab grade {}\" tests=\"{}\" failures=\"{}\" "
                     "errors=\"{}\" time=\"{:.3f}\">\n{}</testsuites>\n",
                     xml_escape(run.lab_id), tests, failures, errors, seconds, body);
}

std::string grades_csv(const GradeRun& run) {
  std::string out = "learner";
  for (const auto& t : run.tests) out += "," + csv_field(t);
  out += ",total,max,percent,verdict\n";
  for (const auto& g : run.submissions) {
    out += csv_field(g.learner);
    for (const auto& name : run.tests) {
      int pts = 0;
      for (const auto& t : g.tests) {
        if (t.name == name) pts = t.points;
      }
      out += fmt::format(",{}", pts);
    }
    const double pct = g.max_score > 0 ? 100.0 * g.score / g.max_score : 0.0;
    out += fmt::format(",{},{},{:.1f},{}\n", g.score, g.max_score, pct, csv_field(grade_word(g.verdict)));
  }
  return out;
}

void write_grade_outputs(const GradeRun& run, const fs::path& out) {
  fs::create_directories(out);
  for (const auto& g : run.submissions) {
    write_text_atomically(out / g.learner / "results.json", gradescope_json(run, g).dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  }
  write_text_atomically(out / "junit.xml", junit_xml(run));
  write_text_atomically(out / "grades.csv", grades_csv(run));
}

}  // namespace conclab::grading
