// How a command declares its options and subcommands. A thin handle over CLI11, which only options.cpp and
// main.cpp include: CLI11 is header-only and costs about five seconds of compile in every file that includes
// it, so the command files stay quick to build.
//
//   void add_options(Options& app) override {
//     app.option("lab", lab_, "Lab id").required();
//     app.option("--repeat", repeat_, "Runs of each test").range(1, 100);
//     app.flag("!--no-tsan", tsan_, "Skip the ThreadSanitizer build");
//     verify_ = app.subcommand("verify", "Check one variant");   // then verify_.option(...), verify_.parsed()
//   }
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace conclab::commands {

// One option, to refine after declaring it. Names follow CLI11: "lab" is positional, "--x,-x" a named option,
// "!--no-x" a flag that sets false.
class Option {
 public:
  explicit Option(CLI::Option* option) : option_(option) {}
  Option required();
  Option range(int low, int high);                  // a whole number in [low, high]
  Option one_of(std::initializer_list<const char*> values);
  Option existing_file();
  Option hidden();                                   // left out of --help
  Option excludes(Option other);

 private:
  CLI::Option* option_;
};

class Options {
 public:
  explicit Options(CLI::App* app = nullptr) : app_(app) {}
  Option option(const std::string& name, std::string& into, const std::string& help = {});
  Option option(const std::string& name, int& into, const std::string& help = {});
  Option option(const std::string& name, double& into, const std::string& help = {});
  Option option(const std::string& name, std::uint64_t& into, const std::string& help = {});
  Option option(const std::string& name, std::vector<std::string>& into, const std::string& help = {});
  Option flag(const std::string& name, bool& into, const std::string& help = {});
  Options subcommand(const std::string& name, const std::string& help);
  void require_subcommand();  // exactly one
  bool parsed() const;        // this (sub)command was given

 private:
  CLI::App* app_;
};

}  // namespace conclab::commands
