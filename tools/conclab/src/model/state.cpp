#include "model/state.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <system_error>

#include "app/errors.hpp"
#include "app/version.hpp"
#include "util/files.hpp"

namespace conclab {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The words state.json has always used for a lab's status.
const char* status_word(LabStatus s) {
  switch (s) {
    case LabStatus::kNotStarted: return "";
    case LabStatus::kAttempted: return "attempted";
    case LabStatus::kPassed: return "passed";
  }
  return "";
}

LabStatus status_from(const std::string& word) {
  if (word == "passed") return LabStatus::kPassed;
  if (word == "attempted") return LabStatus::kAttempted;
  return LabStatus::kNotStarted;
}

std::string now_stamp(const char* format) {
  return fmt::format(fmt::runtime(format), fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
}

LabProgress progress_from(const json& v) {
  LabProgress p;
  p.status = status_from(v.value("status", ""));
  p.attempts = v.value("attempts", 0);
  p.hints_shown = v.value("hints_shown", 0);
  p.first_check = v.value("first_check", "");
  p.passed_at = v.value("passed_at", "");
  p.last_verdict = verdict_from_name(v.value("last_verdict", ""));
  return p;
}

DrillRecord drill_from(const json& v) {
  DrillRecord r;
  for (const auto& a : v.value("attempts", json::array())) {
    r.attempts.push_back({a.value("started", ""), a.value("seconds", 0.0), a.value("checks", 0), a.value("passed", false)});
  }
  return r;
}

QuizCard card_from(const json& v) {
  QuizCard c;
  c.box = std::clamp(v.value("box", 1), 1, 5);
  c.due = v.value("due", "");
  c.asked = v.value("asked", 0);
  c.missed = v.value("missed", 0);
  return c;
}

// Days since 1970-01-01 of a YYYY-MM-DD date (Howard Hinnant's days_from_civil, through <chrono>), or nullopt.
std::optional<int> day_number(const std::string& day) {
  int y = 0;
  unsigned m = 0, d = 0;
  char dash1 = 0, dash2 = 0;
  if (day.size() != 10 || std::sscanf(day.c_str(), "%4d%c%2u%c%2u", &y, &dash1, &m, &dash2, &d) != 5 || dash1 != '-' || dash2 != '-') {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<int>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

std::string day_string(int number) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{number}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

int checked_day(const std::string& day) {
  const auto n = day_number(day);
  if (!n) throw UserError(fmt::format("'{}' is not a date: write it as YYYY-MM-DD, e.g. 2026-12-03.", day), exit_code::kUsage);
  return *n;
}

}  // namespace

std::optional<double> DrillRecord::best_seconds() const {
  std::optional<double> best;
  for (const auto& a : attempts) {
    if (a.passed && (!best || a.seconds < *best)) best = a.seconds;
  }
  return best;
}

std::string today() {
  if (const char* forced = std::getenv("CONCLAB_TODAY"); forced != nullptr && *forced != '\0') {
    if (!day_number(forced)) {
      throw UserError(fmt::format("CONCLAB_TODAY is '{}', which is not a date: set it as YYYY-MM-DD (e.g. 2026-12-03) or unset it.", forced), exit_code::kUsage);
    }
    return forced;
  }
  return now_stamp("{:%Y-%m-%d}");
}

int days_between(const std::string& from, const std::string& to) { return checked_day(to) - checked_day(from); }

std::string add_days(const std::string& day, int n) { return day_string(checked_day(day) + n); }

std::string utc_now() { return now_stamp("{:%Y-%m-%dT%H:%M:%SZ}"); }

State State::load(const fs::path& root) {
  State s;
  s.path_ = root / ".conclab" / "state.json";
  if (!fs::exists(s.path_)) return s;
  try {
    const json j = json::parse(read_text(s.path_));
    if (!j.is_object() || !j.contains("labs") || !j["labs"].is_object()) throw std::runtime_error("no 'labs' object");
    // The first format wrote "version"; both mean the same.
    const int format = j.value("format_version", j.value("version", 1));
    if (format > kStateFormatVersion) throw std::runtime_error("written by a newer conclab");
    for (const auto& [id, v] : j["labs"].items()) s.labs_[id] = progress_from(v);
    if (j.contains("drills") && j["drills"].is_object()) {
      for (const auto& [id, v] : j["drills"].items()) s.drills_[id] = drill_from(v);
    }
    if (j.contains("quiz") && j["quiz"].is_object()) {
      for (const auto& [id, v] : j["quiz"].items()) s.quiz_[id] = card_from(v);
    }
  } catch (const std::exception&) {
    fs::path aside = s.path_.string() + ".damaged-" + now_stamp("{:%Y%m%d-%H%M%S}");
    for (int n = 2; fs::exists(aside); ++n) aside = s.path_.string() + ".damaged-" + now_stamp("{:%Y%m%d-%H%M%S}") + "-" + std::to_string(n);
    std::error_code ec;
    fs::rename(s.path_, aside, ec);
    s.labs_.clear();
    s.drills_.clear();
    s.quiz_.clear();
    s.warning_ = fmt::format("Your progress file {} was damaged, so it was moved to {} and a fresh one started "
                             "(your code is untouched; `conclab check` on a lab you finished marks it done again).",
                             fs::relative(s.path_, root).string(), fs::relative(aside, root).string());
  }
  return s;
}

const LabProgress* State::find(const std::string& id) const {
  auto it = labs_.find(id);
  return it == labs_.end() ? nullptr : &it->second;
}

bool State::passed(const std::string& id) const {
  const LabProgress* p = find(id);
  return p != nullptr && p->status == LabStatus::kPassed;
}

void State::record_check(const std::string& id, Verdict verdict, bool complete) {
  LabProgress& p = labs_[id];
  ++p.attempts;
  if (p.first_check.empty()) p.first_check = utc_now();
  p.last_verdict = verdict;
  if (verdict == Verdict::kPassed && complete) {
    if (p.status != LabStatus::kPassed) p.passed_at = utc_now();
    p.status = LabStatus::kPassed;
  } else if (p.status == LabStatus::kNotStarted) {
    p.status = LabStatus::kAttempted;
  }
  save();
}

void State::save() const {
  json j;
  j["format_version"] = kStateFormatVersion;
  j["labs"] = json::object();
  for (const auto& [id, p] : labs_) {
    j["labs"][id] = {{"status", status_word(p.status)},
                     {"attempts", p.attempts},
                     {"hints_shown", p.hints_shown},
                     {"first_check", p.first_check},
                     {"passed_at", p.passed_at},
                     {"last_verdict", p.last_verdict ? std::string(verdict_name(*p.last_verdict)) : std::string()}};
  }
  j["drills"] = json::object();
  for (const auto& [id, r] : drills_) {
    json attempts = json::array();
    for (const auto& a : r.attempts) {
      attempts.push_back({{"started", a.started}, {"seconds", a.seconds}, {"checks", a.checks}, {"passed", a.passed}});
    }
    j["drills"][id] = {{"attempts", attempts}};
  }
  j["quiz"] = json::object();
  for (const auto& [id, c] : quiz_) {
    j["quiz"][id] = {{"box", c.box}, {"due", c.due}, {"asked", c.asked}, {"missed", c.missed}};
  }
  write_text_atomically(path_, j.dump(2) + "\n");
}

}  // namespace conclab
