// Versions, each written here and nowhere else.
#pragma once

namespace conclab {

// The CLI's version (`conclab --version`). CONCLAB_VERSION comes from the project() of
// tools/conclab/CMakeLists.txt, where the version is written.
#ifndef CONCLAB_VERSION
#error "CONCLAB_VERSION must be defined by the build (tools/conclab/CMakeLists.txt)"
#endif
inline constexpr const char* kVersion = CONCLAB_VERSION;

// The format of a lab.toml (its `format_version` key; absent means 1). A lab.toml with a newer format than
// this CLI understands is refused with a sentence saying to update the course's tools.
inline constexpr int kLabFormatVersion = 1;

// The format of .conclab/state.json (its `format_version` key; the first format wrote `version`).
inline constexpr int kStateFormatVersion = 1;

// The format of a module's quiz.toml (its `format_version` key, required): docs/authoring.md, "Quiz questions".
inline constexpr int kQuizFormatVersion = 1;

}  // namespace conclab
