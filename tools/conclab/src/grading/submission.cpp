#include "grading/submission.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "app/errors.hpp"
#include "util/files.hpp"

namespace conclab::grading {

std::vector<Submission> discover_submissions(const fs::path& dir) {
  std::vector<Submission> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw UserError(fmt::format("{} is not a folder. --submissions takes a folder with one subfolder per learner.", dir.string()),
                    exit_code::kUsage);
  }
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (!fs::is_directory(fs::symlink_status(e.path()))) continue;  // a symlinked folder could point anywhere
    out.push_back(Submission{name, e.path()});
  }
  std::sort(out.begin(), out.end(), [](const Submission& a, const Submission& b) { return a.learner < b.learner; });
  return out;
}

namespace {

constexpr std::uintmax_t kMaxFileBytes = 1u << 20;

struct Found {
  fs::path path;
  int depth;
};

// Index the submission once: regular files (and links, to name them) only, not too deep, not too many.
std::vector<Found> index_files(const fs::path& dir) {
  std::vector<Found> all;
  std::error_code ec;
  int entries = 0;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec || ++entries > 20000) break;
    const std::string name = it->path().filename().string();
    const auto st = it->symlink_status(ec);
    if (fs::is_directory(st)) {
      // A course copy's solutions/ holds files with the same names as the learner's: never take those.
      if (name == "solutions" || name == ".git" || name == "build" || it.depth() >= 6) it.disable_recursion_pending();
      continue;
    }
    if (fs::is_regular_file(st) || fs::is_symlink(st)) all.push_back(Found{it->path(), it.depth()});
  }
  return all;
}

// Where `file` may be, best first: at the course path, at the top, then nested (the lab path wins over a bare
// file name, shallower over deeper).
std::vector<fs::path> candidates_for(const Submission& sub, const std::string& file, const fs::path& lab_rel, const std::vector<Found>& all,
                                     std::vector<std::string>& notes) {
  std::vector<fs::path> candidates = {sub.dir / lab_rel / file, sub.dir / file};
  std::vector<Found> strong, weak;
  const std::string suffix = "/" + (lab_rel / file).generic_string();
  for (const auto& x : all) {
    const std::string g = x.path.generic_string();
    if (g.size() >= suffix.size() && g.compare(g.size() - suffix.size(), suffix.size(), suffix) == 0) {
      strong.push_back(x);
    } else if (x.path.filename() == fs::path(file).filename()) {
      weak.push_back(x);
    }
  }
  auto by_depth = [](const Found& a, const Found& b) { return a.depth != b.depth ? a.depth < b.depth : a.path < b.path; };
  std::sort(strong.begin(), strong.end(), by_depth);
  std::sort(weak.begin(), weak.end(), by_depth);
  for (const auto& x : strong) candidates.push_back(x.path);
  for (const auto& x : weak) candidates.push_back(x.path);
  if (weak.size() > 1 && strong.empty() && weak[0].depth == weak[1].depth) {
    notes.push_back(fmt::format("{}: several files of that name; took {}", file, fs::relative(weak[0].path, sub.dir).string()));
  }
  return candidates;
}

// The first candidate that is a regular file of at most 1 MB (links and big files are noted and skipped).
bool take(const Submission& sub, const std::string& file, const fs::path& lab_rel, const std::vector<fs::path>& candidates, Collected& c) {
  std::set<fs::path> seen;
  std::error_code ec;
  for (const auto& p : candidates) {
    if (!seen.insert(p).second) continue;
    const auto st = fs::symlink_status(p, ec);
    if (ec || !fs::exists(st)) continue;
    const std::string shown = fs::relative(p, sub.dir).string();
    if (fs::is_symlink(st)) {
      c.notes.push_back(fmt::format("{}: {} is a symbolic link, not a file: ignored", file, shown));
      continue;
    }
    if (!fs::is_regular_file(st)) continue;
    if (fs::file_size(p, ec) > kMaxFileBytes) {
      c.notes.push_back(fmt::format("{}: {} is larger than 1 MB: ignored", file, shown));
      continue;
    }
    c.files[file] = read_text(p);
    if (p != sub.dir / file && p != sub.dir / lab_rel / file) c.notes.push_back(fmt::format("{}: taken from {}", file, shown));
    return true;
  }
  return false;
}

// Constructs that have no place in a lab and can be used against the grader: noted for the instructor. Only
// `.incbin` is refused outright: it makes the assembler read any file at build time.
void screen(Collected& c) {
  std::string all_text;
  for (const auto& [name, text] : c.files) all_text += text + "\n";
  std::string lowered = all_text;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (lowered.find("incbin") != std::string::npos) {
    c.refused = "the code uses .incbin, which makes the assembler read a file at build time: refused without compiling.";
  }
  static const std::vector<std::string> suspicious = {
      "@@conclab-witness", "CONCLAB_WITNESS", "[       OK ]", "[ RUN      ]", "[  PASSED  ]", "_exit(", "_Exit(", "quick_exit",
      "/proc/self", "environ", "init_priority", "constructor(", "preinit_array", "dup2(", "solutions/", "socket(", "__tsan_"};
  std::vector<std::string> hits;
  for (const auto& s : suspicious) {
    if (all_text.find(s) != std::string::npos) hits.push_back(s);
  }
  if (hits.empty()) return;
  std::string list;
  for (const auto& h : hits) list += (list.empty() ? "" : ", ") + h;
  c.notes.push_back(fmt::format("for review: the code contains {} (the verdicts do not trust what such code prints)", list));
}

}  // namespace

Collected collect(const Submission& sub, const Lab& lab, const fs::path& lab_rel) {
  Collected c;
  const std::vector<Found> all = index_files(sub.dir);
  for (const auto& f : lab.files) {
    if (take(sub, f, lab_rel, candidates_for(sub, f, lab_rel, all, c.notes), c)) continue;
    c.files[f] = read_text(lab.dir / f);
    c.notes.push_back(fmt::format("{}: not in the submission; graded with the starter file", f));
  }
  screen(c);
  return c;
}

}  // namespace conclab::grading
