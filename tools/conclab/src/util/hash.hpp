// FNV-1a, 64 bit: a fast, stable fingerprint of text (not for security). conclab uses it to tell whether a
// scratch copy is still what the course holds, and to spot identical submissions.
#pragma once

#include <cstdint>
#include <string_view>

namespace conclab {

inline constexpr std::uint64_t kFnvBasis = 14695981039346656037ull;

constexpr std::uint64_t fnv1a(std::uint64_t h, std::string_view data) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace conclab
