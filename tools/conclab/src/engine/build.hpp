// Configuring build trees and building single targets, with compiler errors cut down to the first one.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {

// The build trees, one per CMake preset: the graded tests (kDefault), the graded tests under ThreadSanitizer
// (kTsan), the sim tests under the explorer (kSim: conclab/sim, CONCLAB_SIM defined), the benchmarks (kBench,
// compiled with g++ -O2 as every published figure was).
enum class BuildKind { kDefault, kTsan, kSim, kBench };
std::string_view preset_name(BuildKind kind);  // "default", "tsan", "sim", "bench"
// The tree of a preset name, or nullopt.
std::optional<BuildKind> build_kind_named(std::string_view name);

struct BuildResult {
  bool ok = false;
  bool interrupted = false;
  bool configure_failed = false;  // the build system itself is broken (not the learner's code)
  std::string output;             // full output
  std::string first_error;        // the first compiler/linker error with a little context, paths relative
  double seconds = 0;
};

// This conclab's own executable (a build tree is configured to ask it for the labs).
std::filesystem::path self_path();

// The build tree of a preset: <root>/build/<preset>.
std::filesystem::path build_dir(const std::filesystem::path& root, BuildKind kind);

// Runs `cmake --preset <preset>` if the tree has never been configured.
BuildResult ensure_configured(const std::filesystem::path& root, BuildKind kind);

// Builds the given targets in the preset's tree (configuring it first if needed).
BuildResult build_targets(const std::filesystem::path& root, BuildKind kind, const std::vector<std::string>& targets);

// Where a built target's program lands.
std::filesystem::path target_binary(const std::filesystem::path& build_tree, const std::string& target);

// The first error in compiler/linker/ninja output, with a few lines of context (for the unit tests).
std::string first_compile_error(const std::string& output, const std::filesystem::path& root);

}  // namespace conclab
