// Terminal output: colour when stdout is a terminal (and NO_COLOR is unset), plain text otherwise.
#pragma once

#include <string>
#include <string_view>

namespace conclab::out {

void set_color(bool enabled);
bool color();
// Decides colour from the environment: a TTY, NO_COLOR unset, TERM not "dumb".
void init_color_from_env();

std::string green(std::string_view s);
std::string red(std::string_view s);
std::string yellow(std::string_view s);
std::string cyan(std::string_view s);
std::string bold(std::string_view s);
std::string dim(std::string_view s);

// "[#######.......] 7/20"
std::string progress_bar(int done, int total, int width = 24);

// Indents every line of `text` by `n` spaces.
std::string indent(std::string_view text, int n);

}  // namespace conclab::out
