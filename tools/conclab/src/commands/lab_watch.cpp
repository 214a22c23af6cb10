// What `conclab watch` and `conclab drill` share (lab_watch.hpp).
#include "commands/lab_watch.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "engine/checker.hpp"
#include "engine/process.hpp"
#include "ui/check_report.hpp"
#include "ui/color.hpp"

namespace conclab::commands {

std::string lab_fingerprint(const Lab& lab) {
  std::vector<fs::path> files;
  for (const auto& f : lab.files) files.push_back(lab.dir / f);
  for (const auto& entry : fs::directory_iterator(lab.dir)) {
    if (entry.path().extension() == ".cpp" || entry.path().extension() == ".hpp") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::string fp;
  for (const auto& f : files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) == 0) fp += fmt::format("{}:{}.{}:{};", f.string(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_size);
  }
  return fp;
}

bool SaveWatcher::next_save() {
  while (!interrupted().load()) {
    const std::string now = lab_fingerprint(lab_);
    if (now != seen_) {
      const auto settled = wait_until_settled(now);
      if (!settled) return false;
      seen_ = *settled;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms_));
  }
  return false;
}

std::optional<std::string> SaveWatcher::wait_until_settled(std::string changed) const {
  while (!interrupted().load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(debounce_ms_));
    const std::string again = lab_fingerprint(lab_);
    if (again == changed) return changed;
    changed = again;
  }
  return std::nullopt;
}

std::optional<SaveCheck> check_on_save(Context& ctx, const Lab& lab, int number, bool tsan) {
  fmt::print("{}\n", out::dim(fmt::format("--- check {} at {} ---", number, utc_now())));
  std::fflush(stdout);
  CheckOptions options;
  options.tsan = tsan;
  const CheckReport r = check_lab(ctx.course, lab, std::string(kLearner), options);
  if (r.interrupted) return std::nullopt;
  const SaveCheck result{r.verdict, tsan || !lab.needs_tsan()};
  ctx.state.record_check(lab.id, r.verdict, result.complete);
  print_check_report(ctx, lab, r, false);
  return result;
}

}  // namespace conclab::commands
