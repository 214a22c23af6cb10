#include "engine/build.hpp"

#include <fmt/format.h>

#include <regex>
#include <sstream>

#include "engine/process.hpp"

namespace conclab {

namespace fs = std::filesystem;

fs::path self_path() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path("conclab") : self;
}

std::string_view preset_name(BuildKind kind) {
  switch (kind) {
    case BuildKind::kDefault: return "default";
    case BuildKind::kTsan: return "tsan";
    case BuildKind::kSim: return "sim";
    case BuildKind::kBench: return "bench";
  }
  return "default";
}

std::optional<BuildKind> build_kind_named(std::string_view name) {
  for (const BuildKind k : {BuildKind::kDefault, BuildKind::kTsan, BuildKind::kSim, BuildKind::kBench}) {
    if (preset_name(k) == name) return k;
  }
  return std::nullopt;
}

fs::path build_dir(const fs::path& root, BuildKind kind) { return root / "build" / std::string(preset_name(kind)); }

fs::path target_binary(const fs::path& build_tree, const std::string& target) { return build_tree / "bin" / target; }

std::string first_compile_error(const std::string& output, const fs::path& root) {
  std::istringstream in(output);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  static const std::regex error(R"((error:|undefined reference|multiple definition|ld returned))");
  static const std::regex context_start(R"(^(In file included from|\S+: In (member )?function|\S+: In instantiation|\S+:\d+:\d+:   required from))");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!std::regex_search(lines[i], error) || lines[i].rfind("FAILED:", 0) == 0 || lines[i].rfind("ninja:", 0) == 0) continue;
    // One "In function ..." line of context before, if there is one.
    std::string out;
    if (i > 0 && std::regex_search(lines[i - 1], context_start)) out += lines[i - 1] + "\n";
    out += lines[i] + "\n";
    for (std::size_t j = i + 1; j < lines.size() && j < i + 8; ++j) {
      if (std::regex_search(lines[j], error) || lines[j].rfind("ninja:", 0) == 0 || lines[j].rfind("[", 0) == 0 ||
          lines[j].rfind("FAILED:", 0) == 0 || std::regex_search(lines[j], context_start)) break;
      out += lines[j] + "\n";
    }
    const std::string prefix = root.string() + "/";
    for (std::size_t pos; (pos = out.find(prefix)) != std::string::npos;) out.erase(pos, prefix.size());
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  return {};
}

BuildResult ensure_configured(const fs::path& root, BuildKind kind) {
  BuildResult result;
  const fs::path tree = build_dir(root, kind);
  if (fs::exists(tree / "build.ninja") && fs::exists(tree / "CMakeCache.txt")) {
    result.ok = true;
    return result;
  }
  ProcessOptions p;
  // The tree asks this very conclab what labs exist (cmake/ConclabLabs.cmake), and runs its contract tests with it.
  p.argv = {"cmake", "--preset", std::string(preset_name(kind)), "-DCONCLAB_CLI=" + self_path().string()};
  p.cwd = root;
  p.timeout = std::chrono::minutes(5);
  const ProcessResult r = run_process(p);
  result.output = r.output;
  result.seconds = r.seconds;
  result.interrupted = r.interrupted;
  result.ok = r.ok();
  result.configure_failed = !r.ok();
  if (!result.ok) {
    result.first_error = r.failed_to_start ? "cmake is not installed (run scripts/setup.sh)" : first_compile_error(r.output, root);
    if (result.first_error.empty()) {
      // CMake errors are not compiler errors: show the "CMake Error" paragraph.
      const auto pos = r.output.find("CMake Error");
      result.first_error = pos == std::string::npos ? r.output.substr(r.output.size() > 2000 ? r.output.size() - 2000 : 0)
                                                    : r.output.substr(pos, 1500);
    }
  }
  return result;
}

BuildResult build_targets(const fs::path& root, BuildKind kind, const std::vector<std::string>& targets) {
  BuildResult configured = ensure_configured(root, kind);
  if (!configured.ok) return configured;
  ProcessOptions p;
  // ninja itself when it is there: `cmake --build` would only start it, a tenth of a second later.
  static const fs::path ninja = find_program("ninja");
  p.argv = ninja.empty() ? std::vector<std::string>{"cmake", "--build", build_dir(root, kind).string(), "--target"}
                         : std::vector<std::string>{ninja.string(), "-C", build_dir(root, kind).string()};
  p.argv.insert(p.argv.end(), targets.begin(), targets.end());
  p.cwd = root;
  p.timeout = std::chrono::minutes(15);
  const ProcessResult r = run_process(p);
  BuildResult result;
  result.output = r.output;
  result.seconds = r.seconds + configured.seconds;
  result.interrupted = r.interrupted;
  result.ok = r.ok();
  if (!result.ok && !r.interrupted) {
    result.first_error = first_compile_error(r.output, root);
    if (result.first_error.empty()) {
      // Not a compiler error: a broken tree (re-configure failed, a target vanished).
      result.configure_failed = true;
      result.first_error = r.output.substr(r.output.size() > 2000 ? r.output.size() - 2000 : 0);
    }
  }
  return result;
}

}  // namespace conclab
