#include "state.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <system_error>

#include "course.hpp"
#include "files.hpp"

namespace conclab {

namespace fs = std::filesystem;
using nlohmann::json;

std::string utc_now() {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
}

State State::load(const fs::path& root) {
  State s;
  s.path_ = root / ".conclab" / "state.json";
  if (!fs::exists(s.path_)) return s;
  try {
    const json j = json::parse(read_text(s.path_));
    if (!j.is_object() || !j.contains("labs") || !j["labs"].is_object()) throw std::runtime_error("no 'labs' object");
    for (const auto& [id, v] : j["labs"].items()) {
      LabProgress p;
      p.status = v.value("status", "");
      p.attempts = v.value("attempts", 0);
      p.hints_shown = v.value("hints_shown", 0);
      p.first_check = v.value("first_check", "");
      p.passed_at = v.value("passed_at", "");
      p.last_verdict = v.value("last_verdict", "");
      s.labs_[id] = p;
    }
  } catch (const std::exception&) {
    const fs::path aside = s.path_.string() + ".damaged-" + fmt::format("{:%Y%m%d-%H%M%S}",
        fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
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
  return p != nullptr && p->status == "passed";
}

void State::save() const {
  json j;
  j["version"] = 1;
  j["labs"] = json::object();
  for (const auto& [id, p] : labs_) {
    j["labs"][id] = {{"status", p.status},           {"attempts", p.attempts}, {"hints_shown", p.hints_shown},
                     {"first_check", p.first_check}, {"passed_at", p.passed_at}, {"last_verdict", p.last_verdict}};
  }
  write_text_atomically(path_, j.dump(2) + "\n");
}

}  // namespace conclab
