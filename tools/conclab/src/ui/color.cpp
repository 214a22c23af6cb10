#include "ui/color.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace conclab::out {

namespace {
bool g_color = false;

std::string wrap(std::string_view code, std::string_view s) {
  if (!g_color) return std::string(s);
  return fmt::format("\033[{}m{}\033[0m", code, s);
}
}  // namespace

void set_color(bool enabled) { g_color = enabled; }
bool color() { return g_color; }

void init_color_from_env() {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  g_color = ::isatty(STDOUT_FILENO) != 0 && (no_color == nullptr || *no_color == '\0') &&
            (term == nullptr || std::strcmp(term, "dumb") != 0);
}

std::string green(std::string_view s) { return wrap("32", s); }
std::string red(std::string_view s) { return wrap("31", s); }
std::string yellow(std::string_view s) { return wrap("33", s); }
std::string cyan(std::string_view s) { return wrap("36", s); }
std::string bold(std::string_view s) { return wrap("1", s); }
std::string dim(std::string_view s) { return wrap("2", s); }

std::string progress_bar(int done, int total, int width) {
  const int filled = total == 0 ? 0 : done * width / total;
  std::string bar = "[" + std::string(static_cast<std::size_t>(filled), '#') +
                    std::string(static_cast<std::size_t>(width - filled), '.') + "]";
  return fmt::format("{} {}/{}", g_color ? green(bar) : bar, done, total);
}

std::string indent(std::string_view text, int n) {
  std::string pad(static_cast<std::size_t>(n), ' ');
  std::string result = pad;
  for (std::size_t i = 0; i < text.size(); ++i) {
    result += text[i];
    if (text[i] == '\n' && i + 1 < text.size()) result += pad;
  }
  return result;
}

}  // namespace conclab::out
