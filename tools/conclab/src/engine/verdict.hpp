// The one verdict type of conclab: what happened to a test, to a check of a lab, to a graded submission.
// check, watch, bench, grade (and every later command) judge with it, so a "data race" means the same
// thing everywhere.
#pragma once

#include <optional>
#include <string_view>

namespace conclab {

// Ordered from best to worst (kNotRun apart): a test's or a lab's verdict is the worst of what was seen, and a
// crash hides what came after it, a hang hides the rest of its test, and so on.
enum class Verdict {
  kPassed,
  kFailed,         // an assertion saw a wrong result
  kRace,           // ThreadSanitizer reported
  kHang,           // did not finish in time (a deadlock, a lost wakeup, an endless loop)
  kCrash,          // a signal, or an exit in the middle of a test
  kResourceLimit,  // grading: stopped by a limit (memory, threads, output, CPU time)
  kNoCompile,      // the compiler rejected the code
  kBroken,         // the build system or the grader failed, not the code
  kNotRun,         // no information (interrupted, never reached): the mildest, any real verdict beats it
};

// The same verdicts are worded for their reader. A learner's check says "deadlock or hang" for the whole
// lab and "hang" for one test; the grader, which only sees a clock from outside, says "timeout".
enum class Wording { kLab, kTest, kGrade };

std::string_view verdict_name(Verdict v, Wording wording = Wording::kLab);
// Reads any wording back (state.json keeps the kLab word); nullopt for an unknown word.
std::optional<Verdict> verdict_from_name(std::string_view name);
// One or two sentences that teach what a lab's verdict means.
std::string_view verdict_lesson(Verdict v);
// ThreadSanitizer reports more than data races. A kRace whose reports are all about mutexes is shown under its own
// name and lesson, not called a data race: lock-order inversions (two mutexes taken in both orders somewhere in the
// run, a deadlock waiting for its timing), and a mutex unlocked by a thread that does not hold it (undefined
// behaviour, the public answer to "print in order" that locks in one thread and unlocks in another; the data races
// that follow from it are its consequence, so it names a message that has both). `message` is a test's kRace
// message (the summaries of its reports); nullopt when it is a data race or another kind.
struct MutexFinding {
  std::string_view name;
  std::string_view lesson;
};
std::optional<MutexFinding> mutex_misuse_only(std::string_view message);
inline constexpr std::string_view kBadUnlockName = "mutex unlocked by a thread that does not hold it";
// The worse of two verdicts; kNotRun loses to anything.
Verdict worse(Verdict a, Verdict b);

}  // namespace conclab
