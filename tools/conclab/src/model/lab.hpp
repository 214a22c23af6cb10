// One lab, as its lab.toml describes it: lab.toml is the one source of truth about a lab, and this is its
// one reader. The build (CMake, through `conclab maint labs --cmake`), the scripts (`conclab list --json`,
// `conclab maint labs --json`) and every command get lab facts from here.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {

namespace fs = std::filesystem;

// A reference version's claims: lab.toml [variants.<name>] for naive, improved and final, and
// [wrong.<slug>] for a known-wrong variant (kept here under the name "wrong/<slug>", its `why` as summary).
struct VariantInfo {
  std::string summary;
  std::optional<std::vector<std::string>> fails;       // tests that fail in the default build, every run
  std::optional<std::vector<std::string>> fails_tsan;  // tests that fail under ThreadSanitizer, every run
  std::optional<std::vector<std::string>> fails_sim;   // sim tests the explorer fails (conclab/sim), every run
};

// The implementations of a lab a build can hold: the learner's folder, the reference versions, and the
// known-wrong variants ("wrong/<slug>", in solutions/<lab>/wrong/<slug>/).
inline constexpr std::string_view kLearner = "learner";
inline constexpr std::string_view kStarter = "starter";  // the learner's folder, checked as the course ships it
inline constexpr std::string_view kReferenceVariants[] = {"naive", "improved", "final"};
inline constexpr std::string_view kWrongPrefix = "wrong/";
bool is_reference_variant(std::string_view who);
bool is_wrong_variant(std::string_view who);
// A variant whose contract is "fails exactly the tests lab.toml names": naive, and every wrong variant.
bool must_fail(std::string_view who);

// lab.toml [play]: a game of `conclab play` on one sim test of the naive version.
struct PlayCampaign {
  std::string test;               // "Suite.Name": a CONCLAB_SIM_TEST the naive fails under the explorer
  std::string goal;               // what the player must make happen, in the second person
  std::vector<std::string> win;   // the outcomes that win: deadlock, lost-wakeup, failed, never-ends
};
inline constexpr std::string_view kPlayOutcomes[] = {"deadlock", "lost-wakeup", "failed", "never-ends"};

struct Lab {
  std::string id;          // "00.01", or "P01" for a capstone
  std::string slug;        // "parallel-sum"
  std::string title;
  std::string summary;
  std::string module;      // "00-foundations", or "projects"
  std::string lesson;      // path from the course root
  fs::path dir;            // absolute: the learner's folder
  fs::path solutions_dir;  // absolute: holds naive/ improved/ final/
  int format_version = 1;
  std::vector<std::string> files;       // what the learner edits
  std::vector<std::string> tests;       // <name>_test.cpp in the lab folder (from the folder, sorted)
  std::vector<std::string> benchmarks;  // <name>_bench.cpp in the lab folder (from the folder, sorted)
  std::vector<std::string> tags;
  std::vector<std::string> hints;
  std::vector<std::string> sanitizers;
  bool sim = false;  // lab.toml `sim = true`: its CONCLAB_SIM_TESTs also run under the explorer (the sim build)
  std::vector<std::string> link;
  std::optional<PlayCampaign> play;  // lab.toml [play], if the lab has a game
  std::string difficulty;
  int minutes = 0;
  int timeout_seconds = 30;
  std::map<std::string, int> points;
  std::map<std::string, VariantInfo> variants;
  bool is_project = false;

  // The build's names, decided here only: "lab_00_01_final", "bench_00_01_learner".
  std::string target_id() const;  // "00_01"
  std::string target(std::string_view who) const;
  std::string bench_target(std::string_view who) const;
  fs::path impl_dir(std::string_view who) const;  // the learner's folder, or solutions/.../<variant>
  // The reference versions that exist on disk, in course order, then the wrong variants lab.toml declares
  // and the disk holds (none in a student release).
  std::vector<std::string> variants_on_disk() const;
  // The wrong variants lab.toml declares ("wrong/<slug>"), sorted.
  std::vector<std::string> wrong_variants() const;
  bool has_tag(std::string_view tag) const;  // lab.toml `tags` names it
  bool has_solutions() const;
  bool has_benchmark() const { return !benchmarks.empty(); }
  bool needs_tsan() const;
  bool needs_sim() const { return sim; }
  int points_for(const std::string& test) const;
  // The editable files and the tests: a report shows frames in these first.
  std::vector<std::string> preferred_files() const;
};

// Reads <dir>/lab.toml of a lab under `root` (labs/NN-module/MM-slug or projects/NN-slug). Throws UserError
// (exit code kEnvironment) naming the file and line when it is malformed or of a newer format.
Lab read_lab(const fs::path& root, const fs::path& lab_dir);

}  // namespace conclab
