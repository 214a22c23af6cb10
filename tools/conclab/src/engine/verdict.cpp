#include "engine/verdict.hpp"

#include <array>

namespace conclab {

std::string_view verdict_name(Verdict v, Wording wording) {
  switch (v) {
    case Verdict::kPassed: return "passed";
    case Verdict::kFailed: return "failed";
    case Verdict::kRace: return "data race";
    case Verdict::kHang:
      return wording == Wording::kLab ? "deadlock or hang" : wording == Wording::kTest ? "hang" : "timeout";
    case Verdict::kCrash: return "crash";
    case Verdict::kResourceLimit: return "resource limit";
    case Verdict::kNoCompile: return "does not compile";
    case Verdict::kBroken: return "broken build";
    case Verdict::kNotRun: return "not run";
  }
  return "?";
}

std::optional<Verdict> verdict_from_name(std::string_view name) {
  static constexpr std::array kAll = {Verdict::kPassed, Verdict::kFailed, Verdict::kRace, Verdict::kHang,  Verdict::kCrash,
                                      Verdict::kResourceLimit, Verdict::kNoCompile, Verdict::kBroken, Verdict::kNotRun};
  for (const Verdict v : kAll) {
    for (const Wording w : {Wording::kLab, Wording::kTest, Wording::kGrade}) {
      if (verdict_name(v, w) == name) return v;
    }
  }
  return std::nullopt;
}

std::string_view verdict_lesson(Verdict v) {
  switch (v) {
    case Verdict::kPassed: return "Every graded test passed.";
    case Verdict::kFailed: return "A test saw a wrong result. Read its message: it says what was expected and what it means.";
    case Verdict::kRace:
      return "ThreadSanitizer saw two threads touch the same memory, at least one writing, with nothing ordering "
             "them. That is undefined behaviour even when the answer looks right: protect the access with a mutex, "
             "make it atomic, or stop sharing it.";
    case Verdict::kHang:
      return "A test never finished. Usually a deadlock (threads waiting for each other), a lost wakeup (a wait "
             "whose notify already happened), or a thread nobody stops. The stacks show where each thread waited.";
    case Verdict::kCrash:
      return "The test process died. Common causes: a std::thread destroyed while still joinable (std::terminate), "
             "memory used after it was freed, or an uncaught exception on a worker thread.";
    case Verdict::kResourceLimit:
      return "The test was stopped for using more than it may: memory, threads, output or CPU time. Look for a loop "
             "that allocates or starts threads without end.";
    case Verdict::kNoCompile: return "The compiler rejected the code. The first error is below; fix it and check again.";
    case Verdict::kBroken:
      return "The build system itself failed (not your code). `conclab doctor` checks the toolchain; "
             "`rm -rf build` and `./conclab` rebuild from scratch.";
    case Verdict::kNotRun: return "Nothing was run.";
  }
  return {};
}

std::optional<MutexFinding> mutex_misuse_only(std::string_view message) {
  constexpr std::string_view kHeader = "ThreadSanitizer: ";
  constexpr std::string_view kLockOrder = "lock-order-inversion";
  constexpr std::string_view kBadUnlock = "unlock of an unlocked mutex";
  bool lock_order = false, bad_unlock = false, other = false;
  for (std::size_t at = message.find(kHeader); at != std::string_view::npos; at = message.find(kHeader, at + 1)) {
    const std::string_view kind = message.substr(at + kHeader.size());
    if (kind.starts_with(kLockOrder)) {
      lock_order = true;
    } else if (kind.starts_with(kBadUnlock)) {
      bad_unlock = true;
    } else {
      other = true;  // a data race, a use after free...
    }
  }
  // A mutex unlocked by the wrong thread orders nothing, so the data races that come with it are its consequence:
  // it is the name to give. Lock-order inversions are named only when nothing else was reported.
  if (bad_unlock) {
    return MutexFinding{kBadUnlockName,
                        "ThreadSanitizer saw a thread unlock a mutex that another thread locked (or that nobody held). "
                        "That is undefined behaviour: only the thread that locked a mutex may unlock it. glibc's default "
                        "mutex does not check, so it seems to work. To let one thread tell another to go on, use a "
                        "semaphore, a condition variable with a state, a latch, or atomic::wait."};
  }
  if (lock_order && !other) {
    return MutexFinding{"lock-order inversion",
                        "ThreadSanitizer saw two mutexes taken in both orders (A then B in one place, B then A in "
                        "another). This run did not hang, but two threads that each hold one and want the other wait "
                        "forever: a deadlock waiting for its timing. Take every pair of locks in one global order, or "
                        "both at once with std::scoped_lock."};
  }
  return std::nullopt;
}

Verdict worse(Verdict a, Verdict b) {
  if (a == Verdict::kNotRun) return b;
  if (b == Verdict::kNotRun) return a;
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

}  // namespace conclab
