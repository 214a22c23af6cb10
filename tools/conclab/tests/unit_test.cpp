// Unit tests of conclab's pieces: parsing test lists and output, summarising ThreadSanitizer reports and
// gdb stacks, compiler errors, the progress file, lab lookup and lint, and the process runner's limits.
#include <gtest/gtest.h>

#include <fstream>

#include "builder.hpp"
#include "course.hpp"
#include "files.hpp"
#include "gtest_runner.hpp"
#include "process.hpp"
#include "state.hpp"

namespace conclab {
namespace {

namespace fs = std::filesystem;

fs::path scratch_dir() {
  char tmpl[] = "/tmp/conclab-unit-XXXXXX";
  return fs::path(::mkdtemp(tmpl));
}

TEST(GtestRunnerTest, ParsesTestList) {
  const std::string out =
      "Running main() from ./googletest/src/gtest_main.cc\n"
      "QueueTest.\n"
      "  PopBlocks\n"
      "  Fifo\n"
      "Typed/0.  # TypeParam = int\n"
      "  Works\n"
      "Param/ValueTest.\n"
      "  Holds/0  # GetParam() = 3\n";
  const auto tests = parse_test_list(out);
  const std::vector<std::string> expected = {"QueueTest.PopBlocks", "QueueTest.Fifo", "Typed/0.Works", "Param/ValueTest.Holds/0"};
  EXPECT_EQ(tests, expected);
}

TEST(GtestRunnerTest, SplitsOutputPerTest) {
  const std::string out =
      "[==========] Running 3 tests from 1 test suite.\n"
      "[ RUN      ] A.Pass\n"
      "[       OK ] A.Pass (0 ms)\n"
      "[ RUN      ] A.Fail\n"
      "a_test.cpp:12: Failure\n"
      "Expected: 1\n"
      "[  FAILED  ] A.Fail (1 ms)\n"
      "[ RUN      ] A.Crash\n"
      "about to crash\n";
  std::string outside;
  const auto segs = split_output(out, &outside);
  ASSERT_EQ(segs.size(), 3u);
  EXPECT_TRUE(segs[0].finished && segs[0].passed);
  EXPECT_TRUE(segs[1].finished && !segs[1].passed);
  EXPECT_NE(segs[1].text.find("Expected: 1"), std::string::npos);
  EXPECT_FALSE(segs[2].finished) << "a test with no end line was running when the process died";
  EXPECT_NE(outside.find("Running 3 tests"), std::string::npos);
}

TEST(GtestRunnerTest, KeepsOnlyTheFirstFailedAssertion) {
  const std::string text = "/c/x_test.cpp:1: Failure\nfirst\n/c/x_test.cpp:2: Failure\nsecond\n/c/x_test.cpp:3: Failure\nthird\n";
  const std::string tidy = tidy_failure(text, "/c");
  EXPECT_NE(tidy.find("x_test.cpp:1: Failure\nfirst"), std::string::npos) << tidy;
  EXPECT_EQ(tidy.find("second"), std::string::npos) << tidy;
  EXPECT_NE(tidy.find("and 2 more failed assertions"), std::string::npos) << tidy;
}

TEST(GtestRunnerTest, SummarisesADataRaceWithTheLearnersFrame) {
  const std::string report =
      "==================\n"
      "WARNING: ThreadSanitizer: data race (pid=2393)\n"
      "  Write of size 8 at 0x56404ca50090 by thread T2:\n"
      "    #0 std::vector<int>::push_back /usr/include/c++/12/bits/stl_vector.h:1280 (x+0x1)\n"
      "    #1 lab::parallel_sum(...)::{lambda()#1}::operator()() const /course/labs/00/parallel_sum.hpp:27 (x+0x2)\n"
      "  Previous read of size 8 at 0x56404ca50090 by thread T1:\n"
      "    #0 lab::parallel_sum(...) /course/labs/00/parallel_sum.hpp:27 (x+0x3)\n"
      "  Location is global 'total' of size 8 at 0x56404ca50090 (x+0x4)\n"
      "  Thread T2 (tid=5, running) created by main thread at:\n"
      "    #0 pthread_create ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:1001 (libtsan.so.2+0x1)\n"
      "SUMMARY: ThreadSanitizer: data race /course/labs/00/parallel_sum.hpp:27 in operator()\n"
      "==================\n";
  const std::string s = summarize_tsan(report, "/course", {"parallel_sum.hpp"});
  EXPECT_NE(s.find("ThreadSanitizer: data race"), std::string::npos) << s;
  EXPECT_NE(s.find("Write of size 8 by thread T2"), std::string::npos) << s;
  EXPECT_NE(s.find("labs/00/parallel_sum.hpp:27"), std::string::npos) << "the learner's frame, not the library's:\n" << s;
  EXPECT_EQ(s.find("stl_vector.h"), std::string::npos) << s;
  EXPECT_NE(s.find("Location is global 'total'"), std::string::npos) << s;
  EXPECT_EQ(s.find("pthread_create"), std::string::npos) << "thread-creation stacks are noise here:\n" << s;
}

TEST(GtestRunnerTest, NoReportMeansEmptySummary) {
  EXPECT_EQ(summarize_tsan("[ RUN      ] A.B\n[       OK ] A.B (0 ms)\n", "/c", {}), "");
}

TEST(GtestRunnerTest, SummarisesGdbStacks) {
  const std::string gdb =
      "Thread 2 (Thread 0x7f (LWP 11) \"lab_test\"):\n"
      "#0  futex_wait (private=0, expected=2, futex_word=0x5) at ../sysdeps/nptl/futex-internal.h:146\n"
      "#1  __GI___lll_lock_wait (futex=0x5, private=0) at ./nptl/lowlevellock.c:49\n"
      "#2  0x00007f in ___pthread_mutex_lock (mutex=0x5) at ./nptl/pthread_mutex_lock.c:93\n"
      "#3  0x0000555 in lab::transfer (from=..., to=...) at /course/labs/01/bank.hpp:40\n"
      "Thread 1 (Thread 0x7e (LWP 10) \"lab_test\"):\n"
      "#0  __futex_abstimed_wait_common64 (private=128) at ./nptl/futex-internal.c:57\n"
      "#1  __pthread_clockjoin_ex (threadid=1) at ./nptl/pthread_join_common.c:105\n"
      "#2  0x0000555 in BankTest_Deadlock_Test::TestBody (this=0x1) at /course/labs/01/bank_test.cpp:77\n";
  const std::string s = summarize_stacks(gdb, "/course", {"bank.hpp"});
  EXPECT_NE(s.find("thread 2: blocked locking a mutex, in lab::transfer at labs/01/bank.hpp:40"), std::string::npos) << s;
  EXPECT_NE(s.find("thread 1: waiting to join a thread"), std::string::npos) << s;
}

TEST(BuilderTest, FindsTheFirstCompilerError) {
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

TEST(StateTest, RoundTripsAndWritesAtomically) {
  const fs::path root = scratch_dir();
  {
    State s = State::load(root);
    EXPECT_FALSE(s.warning().has_value());
    s.lab("00.01").status = "passed";
    s.lab("00.01").hints_shown = 2;
    s.save();
  }
  State again = State::load(root);
  EXPECT_TRUE(again.passed("00.01"));
  EXPECT_EQ(again.find("00.01")->hints_shown, 2);
  for (const auto& e : fs::directory_iterator(root / ".conclab")) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << "a temporary file was left behind";
  }
  fs::remove_all(root);
}

TEST(FilesTest, WritesAtomicallyAndReadsBack) {
  const fs::path root = scratch_dir();
  const fs::path file = root / "new" / "folder" / "notes.txt";
  const std::string text = std::string("line one\n") + '\0' + "binary\xff\n";
  write_text_atomically(file, text);  // creates the folders
  EXPECT_EQ(read_text(file), text) << "read_text must return the bytes write_text_atomically wrote";
  write_text_atomically(file, "shorter");
  EXPECT_EQ(read_text(file), "shorter") << "a second write replaces the whole file";
  for (const auto& e : fs::directory_iterator(file.parent_path())) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << "a temporary file was left behind";
  }
  EXPECT_EQ(read_text(root / "missing.txt"), "") << "a file that does not exist reads as empty";
  fs::remove_all(root);
}

TEST(FilesTest, AFileThatCannotBeWrittenIsAUserErrorNotACrash) {
  const fs::path root = scratch_dir();
  write_text_atomically(root / "plain", "x");
  try {
    write_text_atomically(root / "plain" / "inside-a-file.txt", "y");  // the "folder" is a regular file
    ADD_FAILURE() << "writing below a regular file must throw";
  } catch (const UserError& e) {
    EXPECT_EQ(e.exit_code(), exit_code::kEnvironment);
    EXPECT_NE(std::string(e.what()).find("inside-a-file.txt"), std::string::npos) << "the message names the file: " << e.what();
  }
  fs::remove_all(root);
}

TEST(StateTest, SetsADamagedFileAsideAndStartsFresh) {
  const fs::path root = scratch_dir();
  fs::create_directories(root / ".conclab");
  std::ofstream(root / ".conclab" / "state.json") << "{\"labs\": {\"00.01\": ";  // cut off mid-write
  State s = State::load(root);
  ASSERT_TRUE(s.warning().has_value()) << "a damaged file must be reported";
  EXPECT_NE(s.warning()->find("damaged"), std::string::npos);
  EXPECT_FALSE(s.passed("00.01"));
  bool kept = false;
  for (const auto& e : fs::directory_iterator(root / ".conclab")) {
    kept = kept || e.path().filename().string().find("state.json.damaged-") == 0;
  }
  EXPECT_TRUE(kept) << "the damaged file must be kept aside, not deleted";
  fs::remove_all(root);
}

TEST(ProcessTest, TimeoutKillsTheWholeGroup) {
  ProcessOptions p;
  // The shell starts a grandchild that would outlive a kill of the shell alone.
  p.argv = {"sh", "-c", "sleep 30 & sleep 30"};
  p.timeout = std::chrono::milliseconds(300);
  const ProcessResult r = run_process(p);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(r.seconds, 10) << "the runner must not wait for the grandchild";
}

TEST(ProcessTest, ReportsSignalsAndCapsOutput) {
  ProcessOptions p;
  p.argv = {"sh", "-c", "yes x | head -c 100000; kill -SEGV $$"};
  p.output_cap = 1000;
  p.timeout = std::chrono::seconds(20);
  const ProcessResult r = run_process(p);
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(r.output.size(), 1000u);
  EXPECT_TRUE(r.output_truncated);
}

TEST(ProcessTest, AppliesResourceLimits) {
  ProcessOptions p;
  p.argv = {"sh", "-c", "ulimit -n"};
  p.rlimits = {{RLIMIT_NOFILE, 37}};
  p.timeout = std::chrono::seconds(20);
  const ProcessResult r = run_process(p);
  EXPECT_EQ(r.output, "37\n");
}

class CourseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = scratch_dir();
    std::ofstream(root_ / "CMakePresets.json") << "{}";
    lab_ = root_ / "labs" / "01-primitives" / "03-blocking-queue";
    fs::create_directories(lab_);
    fs::create_directories(root_ / "modules" / "01-primitives");
    std::ofstream(root_ / "modules" / "01-primitives" / "README.md") << "# 01 Primitives\n";
    std::ofstream(root_ / "modules" / "01-primitives" / "03-cv.md") << "# CV\n";
    std::ofstream(lab_ / "lab.toml") << "id = \"01.03\"\ntitle = \"Blocking queue\"\nlesson = \"modules/01-primitives/03-cv.md\"\n"
                                        "files = [\"q.hpp\"]\nhints = [\"h\"]\nsanitizers = [\"thread\"]\n"
                                        "[variants.naive]\nsummary = \"s\"\nfails_tsan = [\"Q.T\"]\n"
                                        "[variants.improved]\nsummary = \"s\"\n[variants.final]\nsummary = \"s\"\n";
    std::ofstream(lab_ / "q.hpp") << "// TODO(lab): write it\n";
    std::ofstream(lab_ / "q_test.cpp") << "#include <q.hpp>\n";
    for (const char* v : {"naive", "improved", "final"}) {
      fs::create_directories(root_ / "solutions" / "01-primitives" / "03-blocking-queue" / v);
      std::ofstream(root_ / "solutions" / "01-primitives" / "03-blocking-queue" / v / "q.hpp") << "\n";
    }
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_, lab_;
};

TEST_F(CourseTest, LoadsAndFindsLabsByIdNameOrShortId) {
  const Course c = load_course(root_);
  ASSERT_EQ(c.labs.size(), 1u);
  EXPECT_EQ(c.labs[0].slug, "blocking-queue");
  EXPECT_EQ(c.module_title("01-primitives"), "01 Primitives");
  EXPECT_NE(c.find("01.03"), nullptr);
  EXPECT_NE(c.find("1.3"), nullptr);
  EXPECT_NE(c.find("blocking-queue"), nullptr);
  EXPECT_EQ(c.find("01.04"), nullptr);
  try {
    c.get("9.9");
    FAIL() << "an unknown id must throw";
  } catch (const UserError& e) {
    EXPECT_EQ(e.exit_code(), exit_code::kUsage);
    EXPECT_NE(std::string(e.what()).find("There is no lab '9.9'"), std::string::npos);
  }
}

TEST_F(CourseTest, AWellFormedLabLintsClean) {
  const Course c = load_course(root_);
  EXPECT_TRUE(lint_lab(c, c.labs[0]).empty());
}

TEST_F(CourseTest, LintCatchesAQuotedIncludeOfAnEditableFile) {
  std::ofstream(lab_ / "q_test.cpp") << "#include \"q.hpp\"\n";
  const Course c = load_course(root_);
  const auto problems = lint_lab(c, c.labs[0]);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("include q.hpp with <q.hpp>"), std::string::npos) << problems[0];
}

TEST_F(CourseTest, LintCatchesSleepsInTestsAndANaiveWithoutTeeth) {
  std::ofstream(lab_ / "q_test.cpp") << "#include <q.hpp>\nvoid f() { std::this_thread::sleep" "_for(x); }\n";
  std::ofstream(lab_ / "lab.toml") << "id = \"01.03\"\ntitle = \"Blocking queue\"\nlesson = \"modules/01-primitives/03-cv.md\"\n"
                                      "files = [\"q.hpp\"]\nhints = [\"h\"]\n"
                                      "[variants.naive]\nsummary = \"s\"\n[variants.improved]\nsummary = \"s\"\n[variants.final]\nsummary = \"s\"\n";
  const Course c = load_course(root_);
  const auto problems = lint_lab(c, c.labs[0]);
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  EXPECT_NE(all.find("must not sleep"), std::string::npos) << all;
  EXPECT_NE(all.find("must name the tests it fails"), std::string::npos) << all;
}

TEST_F(CourseTest, AMalformedLabTomlNamesTheFileAndLine) {
  std::ofstream(lab_ / "lab.toml") << "id = \"01.03\"\ntitle = \n";
  try {
    load_course(root_);
    FAIL() << "a malformed lab.toml must be reported";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("labs/01-primitives/03-blocking-queue/lab.toml:2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace conclab
