// conclab: the command-line tool of the course. `conclab --help` lists the commands (each in its own file
// of commands/, registered there); README.md documents them and their exit codes.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <utility>
#include <vector>

#include "app/errors.hpp"
#include "app/version.hpp"
#include "commands/registry.hpp"
#include "engine/process.hpp"
#include "ui/color.hpp"

namespace {

using namespace conclab;

int run(int argc, char** argv) {
  CLI::App app{"conclab: a C++20 concurrency course you run. With no command: where you are and what is next.", "conclab"};
  app.set_version_flag("--version", fmt::format("conclab {}", kVersion));
  app.require_subcommand(0, 1);
  GlobalOptions global;
  std::string root;
  app.add_option("--root", root, "The course folder (default: found from the current directory, or $CONCLAB_ROOT)");
  app.add_flag("--no-color", global.no_color, "Plain output even on a terminal (NO_COLOR=1 does the same)");

  std::vector<std::pair<CLI::App*, std::unique_ptr<commands::Command>>> available;
  commands::Command* fallback = nullptr;
  for (const auto& info : commands::registered_commands()) {
    CLI::App* sub = app.add_subcommand(std::string(info.name), std::string(info.help));
    auto command = info.make();
    commands::Options options(sub);
    command->add_options(options);
    if (info.name == commands::kDefaultCommand) fallback = command.get();
    available.emplace_back(sub, std::move(command));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "conclab: " << e.what() << "\nRun `conclab --help` for the commands, or `conclab <command> --help`.\n";
    return exit_code::kUsage;
  }
  if (!root.empty()) global.root = root;

  commands::Command* chosen = fallback;
  for (auto& [sub, command] : available) {
    if (sub->parsed()) chosen = command.get();
  }
  out::init_color_from_env();
  if (global.no_color || chosen->machine_output()) out::set_color(false);
  install_interrupt_handler();
  return chosen->run(global);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const conclab::UserError& e) {
    std::cerr << "conclab: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "conclab: internal error: " << e.what()
              << "\nThis is a bug in conclab; `conclab doctor` checks the machine, and the course README says how to report it.\n";
    return conclab::exit_code::kEnvironment;
  }
}
