// commands/registry: every command registers itself once, with help, and README documents every one.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "commands/registry.hpp"

namespace conclab::commands {
namespace {

TEST(RegistryTest, EveryCommandIsRegisteredOnceWithHelp) {
  std::set<std::string> names;
  for (const auto& c : registered_commands()) {
    EXPECT_TRUE(names.insert(std::string(c.name)).second) << c.name << " is registered twice";
    EXPECT_FALSE(c.help.empty()) << c.name << " needs a help line";
    ASSERT_NE(c.make, nullptr);
    EXPECT_NE(c.make(), nullptr);
  }
  for (const char* expected : {"status", "list", "next", "check", "watch", "hint", "solution", "reset", "progress", "doctor", "bench",
                               "maint", "grade", "gradebook"}) {
    EXPECT_TRUE(names.contains(expected)) << expected << " is not registered (is its file in tools/conclab/CMakeLists.txt?)";
  }
  EXPECT_TRUE(names.contains(std::string(kDefaultCommand)));
}

TEST(RegistryTest, TheReadmeDocumentsEveryCommand) {
  std::ifstream in(CONCLAB_COURSE_ROOT "/README.md");
  std::stringstream readme;
  readme << in.rdbuf();
  ASSERT_FALSE(readme.str().empty()) << "README.md not found at " CONCLAB_COURSE_ROOT;
  for (const auto& c : registered_commands()) {
    EXPECT_NE(readme.str().find("conclab " + std::string(c.name)), std::string::npos)
        << "README.md never shows `conclab " << c.name << "`: document the command where the others are";
  }
}

}  // namespace
}  // namespace conclab::commands
