// engine/build: the first compiler error, cut to what a learner needs.
#include <gtest/gtest.h>

#include "engine/build.hpp"

namespace conclab {
namespace {

namespace fs = std::filesystem;

TEST(BuildTest, FindsTheFirstCompilerError) {
  const std::string out =
      "[1/2] Building CXX object x.o\n"
      "FAILED: x.o\n"
      "/course/labs/a/q.hpp: In member function 'void Q::pop()':\n"
      "/course/labs/a/q.hpp:12:5: error: 'itemz' was not declared in this scope\n"
      "   12 |     itemz.pop_front();\n"
      "      |     ^~~~~\n"
      "/course/labs/a/q.hpp:20:1: error: second error\n"
      "ninja: build stopped: subcommand failed.\n";
  const std::string e = first_compile_error(out, "/course");
  EXPECT_NE(e.find("labs/a/q.hpp:12:5: error: 'itemz' was not declared"), std::string::npos) << e;
  EXPECT_NE(e.find("In member function"), std::string::npos) << "one line of context before:\n" << e;
  EXPECT_NE(e.find("itemz.pop_front"), std::string::npos) << "the source line after:\n" << e;
  EXPECT_EQ(e.find("second error"), std::string::npos) << "only the first error:\n" << e;
}

}  // namespace
}  // namespace conclab
