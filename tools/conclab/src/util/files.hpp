// Reading and writing whole text files, the one way conclab does it.
#pragma once

#include <filesystem>
#include <string>

namespace conclab {

// The whole file, byte for byte; empty if it cannot be read (callers that care check existence first).
std::string read_text(const std::filesystem::path& file);

// Writes `text` to a temporary file in the same folder (created if missing), flushes it to disk, and
// renames it over `file`: a reader sees the old content or the new, never half of it, even if conclab is
// killed mid-write. Throws UserError (exit code 4) when the file cannot be written.
void write_text_atomically(const std::filesystem::path& file, const std::string& text);

}  // namespace conclab
