// The lab.toml a student release ships: the same file without its [variants.*] and [wrong.*] tables, which
// describe the reference versions and the known bugs (scripts/make-student-release.sh).
#pragma once

#include <filesystem>
#include <string>

namespace conclab {

// The text of `lab_toml` without those tables, byte for byte otherwise. Checked with the TOML parser: the result
// must hold exactly the other keys, unchanged; a UserError (kEnvironment) names the file when it does not.
// `max_hints` >= 0 keeps only that many of the lab's hints (a graded class may hold back the last one, which is
// close to the code); the hints array is then written anew, one string a line.
std::string release_lab_toml(const std::filesystem::path& lab_toml, int max_hints = -1);

}  // namespace conclab
