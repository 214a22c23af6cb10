#include "model/state.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <system_error>

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

}  // namespace

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
  } catch (const std::exception&) {
    fs::path aside = s.path_.string() + ".damaged-" + now_stamp("{:%Y%m%d-%H%M%S}");
    for (int n = 2; fs::exists(aside); ++n) aside = s.path_.string() + ".damaged-" + now_stamp("{:%Y%m%d-%H%M%S}") + "-" + std::to_string(n);
    std::error_code ec;
    fs::rename(s.path_, aside, ec);
    s.labs_.clear();
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
  write_text_atomically(path_, j.dump(2) + "\n");
}

}  // namespace conclab
