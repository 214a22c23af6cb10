// util/text: the small helpers every report uses.
#include <gtest/gtest.h>

#include "util/text.hpp"

namespace conclab {
namespace {

TEST(TextTest, LinesDropTheirNewlinesAndCarriageReturns) {
  EXPECT_EQ(lines_of("a\r\nb\n\nc"), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(lines_of("a\n"), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(lines_of("").empty());
}

TEST(TextTest, JoinPluralTailAndTrim) {
  EXPECT_EQ(join({"a", "b"}), "a, b");
  EXPECT_EQ(join({}, ", ", "(none)"), "(none)");
  EXPECT_EQ(plural(1, "test"), "1 test");
  EXPECT_EQ(plural(2, "test"), "2 tests");
  EXPECT_EQ(tail("abcdef", 3), "...def");
  EXPECT_EQ(tail("abc", 3), "abc");
  EXPECT_EQ(trim("\n\nx y \n"), "x y");
  EXPECT_EQ(relative_paths("/c/labs/x.hpp:3 and /c/y", "/c"), "labs/x.hpp:3 and y");
  EXPECT_EQ(relative_paths("at ../../labs/x.hpp:3, ../../support/s.hpp:1, ../other", "/c"), "at labs/x.hpp:3, support/s.hpp:1, ../other")
      << "a tree compiled through ccache names files relative to build/<tree>";
  EXPECT_EQ(first_line_with("one\n   two words\n", {"two"}), "two words");
}

}  // namespace
}  // namespace conclab
