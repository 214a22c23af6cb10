#include "grading/gradebook.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "app/errors.hpp"
#include "grading/report.hpp"

namespace conclab::grading {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS gradings (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  lab         TEXT NOT NULL,
  lab_title   TEXT,
  graded_at   TEXT NOT NULL,
  repeat      INTEGER,
  tsan        INTEGER,
  seed        INTEGER,
  sandbox     TEXT,
  source      TEXT,
  max_score   INTEGER
);
CREATE TABLE IF NOT EXISTS submissions (
  grading_id  INTEGER NOT NULL REFERENCES gradings(id),
  learner     TEXT NOT NULL,
  lab         TEXT NOT NULL,
  score       INTEGER,
  max_score   INTEGER,
  verdict     TEXT,
  compiled    INTEGER,
  seconds     REAL,
  files_hash  TEXT,
  notes       TEXT,
  PRIMARY KEY (grading_id, learner)
);
CREATE TABLE IF NOT EXISTS test_results (
  grading_id  INTEGER NOT NULL REFERENCES gradings(id),
  learner     TEXT NOT NULL,
  lab         TEXT NOT NULL,
  test        TEXT NOT NULL,
  points      INTEGER,
  max_points  INTEGER,
  verdict     TEXT,
  runs        INTEGER,
  passed_runs INTEGER,
  tsan        TEXT,
  summary     TEXT,
  message     TEXT,
  PRIMARY KEY (grading_id, learner, test)
);
CREATE INDEX IF NOT EXISTS submissions_by_learner ON submissions (learner, lab, grading_id);
CREATE VIEW IF NOT EXISTS latest AS
  SELECT s.*, g.graded_at
  FROM submissions s JOIN gradings g ON g.id = s.grading_id
  WHERE s.grading_id = (SELECT MAX(s2.grading_id) FROM submissions s2 WHERE s2.learner = s.learner AND s2.lab = s.lab);
PRAGMA user_version = 1;
)sql";

class Db {
 public:
  Db(const fs::path& path, bool create) {
    if (!create && !fs::exists(path)) {
      throw UserError(fmt::format("There is no gradebook at {} yet: `conclab grade` creates it (see --gradebook).", path.string()),
                      exit_code::kUsage);
    }
    if (create && !path.parent_path().empty()) fs::create_directories(path.parent_path());
    const int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw UserError(fmt::format("Cannot open the gradebook {}: {}", path.string(), msg), exit_code::kEnvironment);
    }
    sqlite3_busy_timeout(db_, 15000);  // another grader writing at the same moment: wait for it
    path_ = path;
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw UserError(fmt::format("Gradebook {}: {}", path_.string(), msg), exit_code::kEnvironment);
    }
  }
  sqlite3* get() { return db_; }
  void fail(const char* what) {
    throw UserError(fmt::format("Gradebook {}: {}: {}", path_.string(), what, sqlite3_errmsg(db_)), exit_code::kEnvironment);
  }

 private:
  sqlite3* db_ = nullptr;
  fs::path path_;
};

class Stmt {
 public:
  Stmt(Db& db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db.get(), sql, -1, &s_, nullptr) != SQLITE_OK) db.fail("prepare");
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, long long v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  // Steps once; true while there is a row.
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) db_.fail("step");
    return false;
  }
  void run() {
    step();
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::string text(int col) {
    const auto* p = sqlite3_column_text(s_, col);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  long long integer(int col) { return sqlite3_column_int64(s_, col); }
  bool null(int col) { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

 private:
  Db& db_;
  sqlite3_stmt* s_ = nullptr;
};

std::string join_notes(const std::vector<std::string>& notes) {
  std::string s;
  for (const auto& n : notes) s += (s.empty() ? "" : "\n") + n;
  return s;
}

}  // namespace

long long gradebook_record(const fs::path& path, const GradeRun& run, const std::string& source) {
  Db db(path, true);
  db.exec(kSchema);
  db.exec("BEGIN IMMEDIATE");
  try {
    Stmt g(db, "INSERT INTO gradings (lab, lab_title, graded_at, repeat, tsan, seed, sandbox, source, max_score) VALUES (?,?,?,?,?,?,?,?,?)");
    g.bind(1, run.lab_id).bind(2, run.lab_title).bind(3, run.graded_at).bind(4, static_cast<long long>(run.repeat));
    g.bind(5, static_cast<long long>(run.tsan)).bind(6, static_cast<long long>(run.seed)).bind(7, run.sandbox).bind(8, source);
    g.bind(9, static_cast<long long>(run.max_score));
    g.run();
    const long long id = sqlite3_last_insert_rowid(db.get());
    Stmt s(db, "INSERT INTO submissions (grading_id, learner, lab, score, max_score, verdict, compiled, seconds, files_hash, notes) "
               "VALUES (?,?,?,?,?,?,?,?,?,?)");
    Stmt t(db, "INSERT INTO test_results (grading_id, learner, lab, test, points, max_points, verdict, runs, passed_runs, tsan, summary, "
               "message) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    for (const auto& sub : run.submissions) {
      if (!sub.graded) continue;  // the grader failed on it: no grade to keep (it is re-graded later)
      const std::string learner = valid_utf8(sub.learner);
      s.bind(1, id).bind(2, learner).bind(3, run.lab_id).bind(4, static_cast<long long>(sub.score));
      s.bind(5, static_cast<long long>(sub.max_score)).bind(6, std::string(verdict_name(sub.verdict, Wording::kGrade))).bind(7, static_cast<long long>(sub.compiled));
      s.bind(8, sub.seconds).bind(9, sub.files_hash).bind(10, valid_utf8(join_notes(sub.notes)));
      s.run();
      for (const auto& test : sub.tests) {
        t.bind(1, id).bind(2, learner).bind(3, run.lab_id).bind(4, test.name).bind(5, static_cast<long long>(test.points));
        t.bind(6, static_cast<long long>(test.max_points)).bind(7, std::string(verdict_name(test.verdict, Wording::kGrade))).bind(8, static_cast<long long>(test.runs));
        t.bind(9, static_cast<long long>(test.passed_runs)).bind(10, tsan_text(test.tsan)).bind(11, valid_utf8(test.summary));
        t.bind(12, valid_utf8(test.message.substr(0, 8000)));
        t.run();
      }
    }
    db.exec("COMMIT");
    return id;
  } catch (...) {
    sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

namespace {

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<json>> rows;  // strings or numbers (null for "no grade")
};

std::string render(const Table& t, const std::string& format) {
  if (format == "json") {
    json arr = json::array();
    for (const auto& row : t.rows) {
      json o = json::object();
      for (std::size_t i = 0; i < t.columns.size(); ++i) o[t.columns[i]] = row[i];
      arr.push_back(o);
    }
    return arr.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  }
  std::string out;
  for (std::size_t i = 0; i < t.columns.size(); ++i) out += (i ? "," : "") + csv_field(t.columns[i]);
  out += "\n";
  for (const auto& row : t.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) out += ",";
      if (row[i].is_string()) {
        out += csv_field(row[i].get<std::string>());
      } else if (!row[i].is_null()) {
        out += row[i].dump();
      }
    }
    out += "\n";
  }
  return out;
}

}  // namespace

namespace {

// Every grading of every learner, oldest first.
Table history_table(Db& db, const std::string& lab) {
  Table t;
  t.columns = {"grading", "graded_at", "lab", "learner", "score", "max", "verdict", "files_hash"};
  Stmt q(db, "SELECT s.grading_id, g.graded_at, s.lab, s.learner, s.score, s.max_score, s.verdict, s.files_hash FROM submissions s "
             "JOIN gradings g ON g.id = s.grading_id WHERE (?1 = '' OR s.lab = ?1) ORDER BY s.grading_id, s.learner");
  q.bind(1, lab);
  while (q.step()) t.rows.push_back({q.integer(0), q.text(1), q.text(2), q.text(3), q.integer(4), q.integer(5), q.text(6), q.text(7)});
  return t;
}

// One row per learner, one column per lab: each learner's latest score in each lab.
Table labs_table(Db& db) {
  std::map<std::string, long long> lab_max;
  {
    Stmt q(db, "SELECT lab, max_score FROM gradings WHERE id IN (SELECT MAX(id) FROM gradings GROUP BY lab) ORDER BY lab");
    while (q.step()) lab_max[q.text(0)] = q.integer(1);
  }
  std::map<std::string, std::map<std::string, long long>> scores;
  {
    Stmt q(db, "SELECT learner, lab, score FROM latest");
    while (q.step()) scores[q.text(0)][q.text(1)] = q.integer(2);
  }
  Table t;
  t.columns = {"learner"};
  long long all_max = 0;
  for (const auto& [lab, max] : lab_max) {
    t.columns.push_back(lab);
    all_max += max;
  }
  t.columns.insert(t.columns.end(), {"total", "max"});
  for (const auto& [learner, by_lab] : scores) {
    std::vector<json> row = {learner};
    long long total = 0;
    for (const auto& [lab, max] : lab_max) {
      auto it = by_lab.find(lab);
      row.emplace_back(it == by_lab.end() ? json(nullptr) : json(it->second));
      if (it != by_lab.end()) total += it->second;
    }
    row.emplace_back(total);
    row.emplace_back(all_max);
    t.rows.push_back(std::move(row));
  }
  return t;
}

// One lab: one row per learner (their latest grading of it), one column per test. A UserError naming the labs
// the gradebook has when it has none of this one.
Table lab_table(Db& db, const GradebookExport& o) {
  std::vector<std::string> tests;
  {
    Stmt q(db, "SELECT DISTINCT test FROM test_results WHERE lab = ?1 AND grading_id = (SELECT MAX(id) FROM gradings WHERE lab = ?1) "
               "ORDER BY rowid");
    q.bind(1, o.lab);
    while (q.step()) tests.push_back(q.text(0));
  }
  Table t;
  t.columns = {"learner"};
  t.columns.insert(t.columns.end(), tests.begin(), tests.end());
  t.columns.insert(t.columns.end(), {"total", "max", "verdict", "graded_at"});
  Stmt q(db, "SELECT learner, grading_id, score, max_score, verdict, graded_at FROM latest WHERE lab = ?1 ORDER BY learner");
  q.bind(1, o.lab);
  while (q.step()) {
    const std::string learner = q.text(0);
    std::map<std::string, long long> points;
    Stmt p(db, "SELECT test, points FROM test_results WHERE grading_id = ?1 AND learner = ?2");
    p.bind(1, q.integer(1)).bind(2, learner);
    while (p.step()) points[p.text(0)] = p.integer(1);
    std::vector<json> row = {learner};
    for (const auto& test : tests) {
      auto it = points.find(test);
      row.push_back(it == points.end() ? json(nullptr) : json(it->second));
    }
    row.insert(row.end(), {json(q.integer(2)), json(q.integer(3)), json(q.text(4)), json(q.text(5))});
    t.rows.push_back(std::move(row));
  }
  if (t.rows.empty()) {
    std::string labs;
    Stmt l(db, "SELECT DISTINCT lab FROM gradings ORDER BY lab");
    while (l.step()) labs += (labs.empty() ? "" : ", ") + l.text(0);
    throw UserError(fmt::format("The gradebook {} has no grades for lab {}; it has {}.", o.db.string(), o.lab, labs.empty() ? "none yet" : labs),
                    exit_code::kUsage);
  }
  return t;
}

}  // namespace

std::string gradebook_export(const GradebookExport& o) {
  if (o.format != "csv" && o.format != "json") {
    throw UserError(fmt::format("Unknown format '{}': use csv or json.", o.format), exit_code::kUsage);
  }
  Db db(o.db, false);
  if (o.history) return render(history_table(db, o.lab), o.format);
  return render(o.lab.empty() ? labs_table(db) : lab_table(db, o), o.format);
}

}  // namespace conclab::grading
