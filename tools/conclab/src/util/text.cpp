#include "util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace conclab {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string line(text.substr(0, nl));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(std::move(line));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == '\n') ++i;
  return s.substr(i);
}

std::string relative_paths(std::string text, const std::filesystem::path& root) {
  if (root.empty()) return text;
  const std::string prefix = root.string() + "/";
  for (std::size_t pos; (pos = text.find(prefix)) != std::string::npos;) text.erase(pos, prefix.size());
  // A tree compiled through ccache (scripts/test.sh) names the course's files relative to build/<tree>.
  for (const char* folder : {"labs/", "solutions/", "projects/", "support/"}) {
    const std::string up = std::string("../../") + folder;
    for (std::size_t pos; (pos = text.find(up)) != std::string::npos;) text.erase(pos, 6);
  }
  return text;
}

std::string tail(const std::string& s, std::size_t n) { return s.size() <= n ? s : "..." + s.substr(s.size() - n); }

std::string first_line_with(const std::string& text, const std::vector<std::string>& needles) {
  for (std::string line : lines_of(text)) {
    for (const auto& n : needles) {
      if (line.find(n) == std::string::npos) continue;
      line.erase(0, line.find_first_not_of(" \t"));
      return line.substr(0, 300);
    }
  }
  return {};
}

std::string join(const std::vector<std::string>& items, std::string_view separator, std::string_view empty) {
  if (items.empty()) return std::string(empty);
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string plural(long n, std::string_view word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

}  // namespace conclab
