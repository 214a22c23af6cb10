#include "model/release_toml.hpp"

#include <fmt/format.h>

#include <regex>
#include <sstream>
#include <toml++/toml.h>

#include "app/errors.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace conclab {

namespace {

// The tables a release leaves out.
bool is_solution_key(std::string_view key) { return key == "variants" || key == "wrong"; }

toml::table parse(const std::string& text, const std::string& shown) {
  try {
    return toml::parse(text, shown);
  } catch (const toml::parse_error& e) {
    throw UserError(fmt::format("{}:{}: {}", shown, e.source().begin.line, std::string(e.description())), exit_code::kEnvironment);
  }
}

}  // namespace

// The hints array's lines (from `hints = [` to its closing `]`) replaced by the first `keep` of `hints`.
std::string keep_hints(const std::string& text, const toml::array& hints, std::size_t keep) {
  static const std::regex opening(R"re(^\s*hints\s*=\s*\[)re");
  std::string out;
  bool inside = false;
  for (const auto& line : lines_of(text)) {
    if (!inside && std::regex_search(line, opening)) {
      inside = true;
      out += "hints = [\n";
      for (std::size_t i = 0; i < keep && i < hints.size(); ++i) {
        std::ostringstream item;  // toml++ writes the string as TOML, quoted and escaped as it needs
        item << toml::value<std::string>(*hints[i].value<std::string>());
        out += "  " + item.str() + ",\n";
      }
      out += "]\n";
    }
    if (!inside) out += line + "\n";
    if (inside && line.find(']') != std::string::npos && line.rfind(']') == line.find_last_not_of(" \t")) inside = false;
  }
  return out;
}

std::string release_lab_toml(const std::filesystem::path& lab_toml, int max_hints) {
  const std::string shown = lab_toml.string();
  const std::string text = read_text(lab_toml);
  const toml::table original = parse(text, shown);
  // A table header starts a section that lasts until the next header; drop the sections of the solution tables.
  static const std::regex header(R"re(^\s*\[\[?\s*"?([A-Za-z0-9_-]+)"?\s*[.\]])re");
  std::string out;
  bool skipping = false;
  for (const auto& line : lines_of(text)) {
    std::smatch m;
    if (std::regex_search(line, m, header)) skipping = is_solution_key(m[1].str());
    if (!skipping) out += line + "\n";
  }
  while (out.size() >= 2 && out.ends_with("\n\n")) out.pop_back();
  toml::table expected = original;
  for (const char* key : {"variants", "wrong"}) expected.erase(key);
  if (const toml::array* hints = original["hints"].as_array(); max_hints >= 0 && hints != nullptr &&
                                                              static_cast<std::size_t>(max_hints) < hints->size()) {
    out = keep_hints(out, *hints, static_cast<std::size_t>(max_hints));
    toml::array kept;
    for (int i = 0; i < max_hints; ++i) kept.push_back(*(*hints)[static_cast<std::size_t>(i)].value<std::string>());
    expected.insert_or_assign("hints", std::move(kept));
  }
  // What is left must be the original without exactly those tables (and hints).
  const toml::table stripped = parse(out, shown);
  if (stripped != expected) {
    throw UserError(fmt::format("{}: the [variants.*] and [wrong.*] tables could not be cut out cleanly; write each as a table with its "
                                "header on a line of its own (not as dotted keys or inline tables)",
                                shown),
                    exit_code::kEnvironment);
  }
  return out;
}

}  // namespace conclab
