// How conclab fails: the exit codes (the one list of them) and the one exception type that carries a
// sentence for the person at the terminal.
#pragma once

#include <stdexcept>
#include <string>

namespace conclab {

// Documented in README.md ("Exit codes"); keep the two in step.
namespace exit_code {
inline constexpr int kOk = 0;
inline constexpr int kNotPassed = 1;      // the lab's tests did not all pass (failed, race, hang, crash)
inline constexpr int kUsage = 2;          // bad input: unknown lab, bad option, nothing to do
inline constexpr int kNoCompile = 3;      // the code does not compile
inline constexpr int kEnvironment = 4;    // toolchain, build system or course files are broken; grade: the grader failed
inline constexpr int kSkipped = 77;       // maint verify: the check does not apply in this tree (CTest's SKIP_RETURN_CODE)
inline constexpr int kInterrupted = 130;  // Ctrl-C
}  // namespace exit_code

// A problem with the course files or the user's input, worded for the person who reads it: one sentence
// saying what is wrong and what to do. main() prints it and exits with `exit_code`.
class UserError : public std::runtime_error {
 public:
  UserError(std::string message, int exit_code) : std::runtime_error(std::move(message)), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace conclab
