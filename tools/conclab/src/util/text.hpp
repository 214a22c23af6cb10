// Small text helpers shared across conclab.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {

std::string lower(std::string s);

// The lines of `text`, without their '\n' (and without a trailing '\r').
std::vector<std::string> lines_of(std::string_view text);

// Without trailing newlines and spaces, and without leading newlines.
std::string trim(std::string s);

// `text` with every "<root>/" removed, so paths read relative to the course.
std::string relative_paths(std::string text, const std::filesystem::path& root);

// The last `n` characters, with "..." in front when something was cut.
std::string tail(const std::string& s, std::size_t n);

// The first line containing any of `needles`, without its indentation (at most 300 characters); empty if none.
std::string first_line_with(const std::string& text, const std::vector<std::string>& needles);

// "a, b, c"; `empty` when there is nothing to join.
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ", std::string_view empty = "");

// "1 test", "2 tests".
std::string plural(long n, std::string_view word);

}  // namespace conclab
