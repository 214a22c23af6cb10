#include "commands/options.hpp"

#include <CLI/CLI.hpp>

namespace conclab::commands {

Option Option::required() {
  option_->required();
  return *this;
}

Option Option::range(int low, int high) {
  option_->check(CLI::Range(low, high));
  return *this;
}

Option Option::one_of(std::initializer_list<const char*> values) {
  option_->check(CLI::IsMember(std::vector<std::string>(values.begin(), values.end())));
  return *this;
}

Option Option::existing_file() {
  option_->check(CLI::ExistingFile);
  return *this;
}

Option Option::hidden() {
  option_->group("");
  return *this;
}

Option Option::excludes(Option other) {
  option_->excludes(other.option_);
  return *this;
}

Option Options::option(const std::string& name, std::string& into, const std::string& help) { return Option(app_->add_option(name, into, help)); }
Option Options::option(const std::string& name, int& into, const std::string& help) { return Option(app_->add_option(name, into, help)); }
Option Options::option(const std::string& name, double& into, const std::string& help) { return Option(app_->add_option(name, into, help)); }
Option Options::option(const std::string& name, std::uint64_t& into, const std::string& help) { return Option(app_->add_option(name, into, help)); }
Option Options::option(const std::string& name, std::vector<std::string>& into, const std::string& help) {
  return Option(app_->add_option(name, into, help));
}
Option Options::flag(const std::string& name, bool& into, const std::string& help) { return Option(app_->add_flag(name, into, help)); }

Options Options::subcommand(const std::string& name, const std::string& help) { return Options(app_->add_subcommand(name, help)); }

void Options::require_subcommand() { app_->require_subcommand(1); }

bool Options::parsed() const { return app_ != nullptr && app_->parsed(); }

}  // namespace conclab::commands
