// The litmus table: the printed code, the outcome names and values, the x86 column, and the flag for an outcome
// the machine produced although C++ forbids it.
#include <gtest/gtest.h>

#include "litmus/litmus.hpp"

namespace conclab::litmus {
namespace {

std::size_t index_of(std::string_view name) {
  const auto i = find_test(name);
  EXPECT_TRUE(i.has_value()) << name;
  return i.value_or(0);
}

TEST(LitmusCatalogue, NamesAreFoundCaseInsensitivelyAndOrdersBySpelling) {
  EXPECT_EQ(tests()[index_of("sb")].name, "SB");
  EXPECT_EQ(tests()[index_of("2+2w")].name, "2+2W");
  EXPECT_FALSE(find_test("SBX").has_value());
  EXPECT_EQ(find_order("acq_rel"), Order::kAcqRel);
  EXPECT_EQ(find_order("SEQ-CST"), Order::kSeqCst);
  EXPECT_FALSE(find_order("consume").has_value());
}

TEST(LitmusCatalogue, TheCodeShownIsTheCodeRunWithTheOrdersOfTheChosenMode) {
  const TestInfo& mp = tests()[index_of("MP")];
  EXPECT_EQ(mp.code(Order::kAcqRel),
            (std::vector<std::string>{"data.store(1, release); flag.store(1, release);",
                                      "r0 = flag.load(acquire); r1 = data.load(acquire);"}));
  EXPECT_EQ(mp.code(Order::kFence)[1], "r0 = flag.load(relaxed); fence(seq_cst); r1 = data.load(relaxed);");
  const TestInfo& w = tests()[index_of("2+2W")];
  EXPECT_EQ(w.outcome_names(), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(w.domains(), (std::vector<std::vector<int>>{{0, 1, 2}, {0, 1, 2}}));
  EXPECT_EQ(tests()[index_of("IRIW")].threads, 4);
  EXPECT_EQ(tests()[index_of("IRIW")].registers, 4);
}

TEST(LitmusTable, EveryCombinationIsARowWithItsColumns) {
  const std::size_t sb = index_of("SB");
  const std::set<Outcome> sc{{0, 1}, {1, 0}, {1, 1}};
  std::set<Outcome> cpp = sc;
  cpp.insert({0, 0});
  MachineRun run;
  run.ran = true;
  run.iterations = 10;
  run.counts = {{{0, 1}, 6}, {{0, 0}, 4}};
  const Table t = make_table(sb, Order::kRelaxed, cpp, sc, run);
  ASSERT_EQ(t.rows.size(), 4u);
  EXPECT_EQ(t.rows[0].label, "r0=0 r1=0");
  EXPECT_EQ(t.rows[0].kind(), "interesting");
  EXPECT_TRUE(t.rows[0].x86) << "x86's store buffer gives SB's 0/0 with plain stores";
  EXPECT_EQ(t.rows[0].seen, 4u);
  EXPECT_EQ(t.rows[1].seen, 6u);
  EXPECT_EQ(t.rows[3].label, "r0=1 r1=1");
  EXPECT_EQ(t.rows[3].kind(), "acceptable");
  EXPECT_FALSE(t.forbidden_seen());
}

TEST(LitmusTable, AnOutcomeTheMachineProducedButCppForbidsIsFlagged) {
  const std::size_t mp = index_of("MP");
  const std::set<Outcome> sc{{0, 0}, {0, 1}, {1, 1}};
  MachineRun run;
  run.ran = true;
  run.iterations = 3;
  run.counts = {{{1, 0}, 1}, {{0, 0}, 2}};
  const Table t = make_table(mp, Order::kAcqRel, sc, sc, run);
  EXPECT_TRUE(t.forbidden_seen());
  const Table not_run = make_table(mp, Order::kAcqRel, sc, sc, std::nullopt);
  EXPECT_FALSE(not_run.forbidden_seen());
  EXPECT_EQ(not_run.rows[2].label, "r0=1 r1=0");
  EXPECT_EQ(not_run.rows[2].kind(), "forbidden");
}

TEST(LitmusTable, X86KeepsEveryOrderButAStoreThenALoadWithoutAFence) {
  const std::set<Outcome> sc{{0, 1}, {1, 0}, {1, 1}};
  EXPECT_EQ(x86_outcomes(index_of("SB"), Order::kAcqRel, sc).count(Outcome{0, 0}), 1u);
  EXPECT_EQ(x86_outcomes(index_of("SB"), Order::kSeqCst, sc).count(Outcome{0, 0}), 0u) << "xchg drains the store buffer";
  EXPECT_EQ(x86_outcomes(index_of("SB"), Order::kFence, sc).count(Outcome{0, 0}), 0u) << "so does mfence";
  EXPECT_EQ(x86_outcomes(index_of("LB"), Order::kRelaxed, sc), sc);
}

}  // namespace
}  // namespace conclab::litmus
