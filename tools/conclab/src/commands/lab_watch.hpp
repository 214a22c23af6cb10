// What `conclab watch` and `conclab drill` share: noticing that the learner saved a lab's files, and one
// check of the learner's code on each save, printed and recorded the same way by both.
#pragma once

#include <optional>
#include <string>

#include "app/context.hpp"
#include "engine/verdict.hpp"

namespace conclab::commands {

// mtime and size of every file the learner may edit, plus the lab's sources: a change in any means re-check.
std::string lab_fingerprint(const Lab& lab);

// Polls a lab's files (polling works in any editor, over SSH and on any file system) and reports each save
// once the files have stopped changing: editors write in several steps.
class SaveWatcher {
 public:
  SaveWatcher(const Lab& lab, int interval_ms, int debounce_ms) : lab_(lab), interval_ms_(interval_ms), debounce_ms_(debounce_ms) {}

  // Takes the files as they are now as already seen: the next save is the first change reported. Without
  // this call the first next_save() returns at once (watch checks the lab as it is when it starts).
  void ignore_current_files() { seen_ = lab_fingerprint(lab_); }

  // Blocks until the files differ from the last ones seen and have settled. False on Ctrl-C.
  bool next_save();

 private:
  // The settled fingerprint, starting from `changed`; nullopt when interrupted.
  std::optional<std::string> wait_until_settled(std::string changed) const;

  const Lab& lab_;
  int interval_ms_;
  int debounce_ms_;
  std::string seen_;
};

// One check of the learner's code, as watch and drill show it: a header with its number and time, the build
// and the tests (with the ThreadSanitizer build unless `tsan` is false), the report, the progress recorded.
struct SaveCheck {
  Verdict verdict = Verdict::kFailed;
  bool complete = true;  // false: the lab needs the ThreadSanitizer build and --no-tsan left it out
  bool passed() const { return verdict == Verdict::kPassed; }
};
// Nullopt when Ctrl-C interrupted the check (nothing is recorded then).
std::optional<SaveCheck> check_on_save(Context& ctx, const Lab& lab, int number, bool tsan);

}  // namespace conclab::commands
