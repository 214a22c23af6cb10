// The learner's progress, kept in <course>/.conclab/state.json (git-ignored).
//
// Written atomically: the new state goes to a temporary file in the same folder, is flushed to disk,
// and renamed over the old one, so a crash or Ctrl-C leaves either the old state or the new, never half.
// A damaged file is moved aside (state.json.damaged-<time>) with a message, and a fresh state starts.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/verdict.hpp"

namespace conclab {

enum class LabStatus { kNotStarted, kAttempted, kPassed };

struct LabProgress {
  LabStatus status = LabStatus::kNotStarted;
  int attempts = 0;                    // checks run
  int hints_shown = 0;                 // how many hints `conclab hint` has revealed
  std::string first_check;             // ISO-8601 UTC
  std::string passed_at;               // ISO-8601 UTC, when it first passed
  std::optional<Verdict> last_verdict; // the verdict of the latest check
};

// One timed attempt of `conclab drill`.
struct DrillAttempt {
  std::string started;   // ISO-8601 UTC
  double seconds = 0;    // from the start to the first complete pass, or to the end of an unfinished attempt
  int checks = 0;        // checks run during the attempt
  bool passed = false;   // false: stopped (Ctrl-C) before a pass
};

struct DrillRecord {
  std::vector<DrillAttempt> attempts;   // oldest first
  // The fastest passed attempt's seconds, if any.
  std::optional<double> best_seconds() const;
};

// One question's Leitner box for `conclab quiz`: box 1 comes back soonest.
struct QuizCard {
  int box = 1;           // 1..5
  std::string due;       // YYYY-MM-DD: asked again on or after this day
  int asked = 0;
  int missed = 0;
};

class State {
 public:
  // Loads the state of the course at `root`. If the file is damaged it is set aside and `warning()`
  // says so, in one sentence, with where the old file went.
  static State load(const std::filesystem::path& root);

  void save() const;

  LabProgress& lab(const std::string& id) { return labs_[id]; }
  // A check of the learner's code ended with `verdict`: count it, remember it, mark a first pass; then save.
  // `complete` is false for a check that left out a build the lab asks for (--no-tsan): its pass is
  // remembered as the verdict, but the lab is not done until a complete check passes.
  void record_check(const std::string& id, Verdict verdict, bool complete = true);
  const LabProgress* find(const std::string& id) const;
  bool passed(const std::string& id) const;
  // `conclab drill`'s records, by lab id, and `conclab quiz`'s cards, by question id (saved with the rest).
  std::map<std::string, DrillRecord>& drills() { return drills_; }
  const std::map<std::string, DrillRecord>& drills() const { return drills_; }
  std::map<std::string, QuizCard>& quiz() { return quiz_; }
  const std::map<std::string, QuizCard>& quiz() const { return quiz_; }
  const std::optional<std::string>& warning() const { return warning_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::map<std::string, LabProgress> labs_;
  std::map<std::string, DrillRecord> drills_;
  std::map<std::string, QuizCard> quiz_;
  std::optional<std::string> warning_;
};

// The current UTC time as 2026-11-21T19:42:05Z.
std::string utc_now();

// Today's UTC date as 2026-11-21, or the day CONCLAB_TODAY names (YYYY-MM-DD): the one clock of the
// day-based features (quiz boxes, sprint days), injectable so that tests and a learner can move it.
// A CONCLAB_TODAY that is not a date is a UserError in one sentence.
std::string today();

// Whole days from `from` to `to` (both YYYY-MM-DD; negative when `to` is earlier), and `day` plus `n` days.
int days_between(const std::string& from, const std::string& to);
std::string add_days(const std::string& day, int n);

}  // namespace conclab
